import type { Campaign } from '../../model/campaign-schema.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { EngineEvents } from '../events/engine-events.js';
import type { Clock } from './clock.js';
import type { RemoteShell } from './remote-shell.js';
import type { SqlSession } from './sql-session.js';

/**
 * What everything that acts on one server during a run is handed: the server, the campaign and
 * wave, the run's clock, events and abort signal, and the server's connections. Steps and the
 * hooks (statistics, gates) each add what is theirs.
 */
export interface ServerRunContext {
  readonly server: ResolvedServer;
  readonly campaign: Campaign;
  readonly wave: number;
  readonly clock: Clock;
  readonly events: EngineEvents;
  readonly signal: AbortSignal;
  readonly shell: () => Promise<RemoteShell>;
  /** An SQL session to the server as it is now: opened on first use, closed by the engine; rejects while the server does not answer. */
  readonly sql: () => Promise<SqlSession>;
}
