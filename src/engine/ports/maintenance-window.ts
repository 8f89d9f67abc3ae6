import type { ResolvedServer } from '../../model/resolved-server.js';

/**
 * The user-facing 503 window of one server's shard: HAProxy runtime API, an HTTP call or a
 * command template (one adapter each). `open` and `close` are idempotent.
 */
export interface MaintenanceWindow {
  open(server: ResolvedServer): Promise<void>;
  close(server: ResolvedServer): Promise<void>;
  /** true open, false closed, undefined when the adapter cannot tell. */
  isOpen(server: ResolvedServer): Promise<boolean | undefined>;
}
