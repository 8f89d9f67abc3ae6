import type { Clock } from '../../engine/ports/clock.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import type { Campaign } from '../../model/campaign-schema.js';
import type { GateVerdict } from '../gate-verdict.js';

/** What the engine hands the gate runners for one server at one point of its step machine. */
export interface GateRunContext {
  /** Open to the server (its adapter's connect already succeeded, or the engine says why not). */
  readonly session: SqlSession;
  /** On the server's host: the error log is read through it. */
  readonly shell: RemoteShell;
  readonly clock: Clock;
  readonly server: { readonly name: string; readonly role?: 'primary' | 'replica' };
  /** campaign `to.version` after an upgrade, `from.version` after a rollback. */
  readonly expectedVersion: string;
  /**
   * The error log's path, resolved while the server was up (resolveErrorLogPath at precheck:
   * a stopped server cannot say where it logs); undefined when it logs nowhere readable.
   */
  readonly errorLogFile: string | undefined;
  /**
   * The log's size just before this start (journaled with the `start` step); undefined when it
   * could not be taken, which makes the error-log gate inconclusive rather than judge old lines.
   */
  readonly errorLogOffset: number | undefined;
  readonly gates: Campaign['gates'];
  readonly signal?: AbortSignal;
}

/** A verdict and how long its probe took: what the readiness gates add to the window. */
export interface TimedGateVerdict extends GateVerdict {
  readonly durationMs: number;
}

export async function timed(clock: Clock, run: () => Promise<GateVerdict>): Promise<TimedGateVerdict> {
  const started = clock.now();
  const verdict = await run();
  return { ...verdict, durationMs: clock.now() - started };
}
