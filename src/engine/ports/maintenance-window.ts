import type { ResolvedServer } from '../../model/resolved-server.js';

/**
 * The user-facing 503 window of one server's shard: HAProxy runtime API, an HTTP call or a
 * command template (one adapter each). `open` and `close` are idempotent.
 */
export interface MaintenanceWindow {
  open(server: ResolvedServer): Promise<void>;
  close(server: ResolvedServer): Promise<void>;
  /**
   * true open, false closed, undefined when the adapter cannot tell or the window is only
   * partly open (one load balancer of a pair, or a server still draining): both of the
   * window's probes then run their step again, which is idempotent.
   */
  isOpen(server: ResolvedServer): Promise<boolean | undefined>;
  /**
   * Read-only, in the precheck: throws when the window could not be opened for this server (a
   * load balancer that does not answer or does not know it), so that it fails before anything
   * is touched rather than inside the window. Optional.
   */
  precheck?(server: ResolvedServer): Promise<void>;
  /** Draining before the window opens, for an adapter that can count the server's sessions. */
  readonly drain?: SessionDrain;
}

/**
 * Draining, not cutting: before the window opens the server takes no new sessions while the
 * ones it has go on; the engine waits until none is left, or `timeoutMs`, then opens.
 */
export interface SessionDrain {
  /** How long the engine waits for the sessions to end before it opens the window anyway. */
  readonly timeoutMs: number;
  /**
   * Stops new sessions to the server everywhere (every load balancer); idempotent. Answers the
   * sessions still open then, as `sessions` would: with none, the window opens at once.
   */
  begin(server: ResolvedServer): Promise<number>;
  /** The server's sessions still open, summed over every load balancer. */
  sessions(server: ResolvedServer): Promise<number>;
}
