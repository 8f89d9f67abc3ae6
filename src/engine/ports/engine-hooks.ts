import type { HookFacts } from '../journal/step-detail.js';
import type { ServerRunContext } from './server-run-context.js';

/**
 * Where the statistics and the health gates plug into the step machine. Each hook is optional;
 * a missing hook is a step that passes. A hook throws only for its own bugs: a failed check is
 * a `fail` verdict, which sends the server down the rollback path.
 */
export interface HookContext extends ServerRunContext {
  /** The server's error log and the byte offset where the current start began (for log gates). */
  readonly errorLog?: { readonly path: string; readonly startOffset?: number };
}

/**
 * A hook's answer. `pause` hands the server to a person (an inconclusive gate the DBA or the
 * campaign chose to pause on); what the engine does with it depends on where the server is:
 * - before the window (`baseline`): nothing was touched, the server stops as PrecheckFailed;
 * - inside the window (`readinessGates`): users must not come back to a server nobody verified,
 *   and leaving them in 503 until a person turns up breaks the window's target, so the server is
 *   rolled back to the version users had (RolledBack, the reason says it was paused);
 * - after the window (`analysisGates`): the server stays upgraded and serving, and ends
 *   NeedsPerson with the reason `paused for a person: <gate evidence>`;
 * - after a rollback (`rollbackGates`): its window is closed and it ends NeedsPerson.
 */
export interface HookVerdict {
  readonly verdict: 'pass' | 'fail' | 'pause';
  readonly reason?: string;
  /** Kept in the step's journal record. */
  readonly detail?: HookFacts;
}

export interface EngineHooks {
  /** Before the window: sample the InnoDB baseline (step `baseline`). */
  baseline?(context: HookContext): Promise<HookVerdict>;
  /** Inside the window, after verify: quick checks before users come back. */
  readinessGates?(context: HookContext): Promise<HookVerdict>;
  /** After the window closed, under users' traffic. A fail rolls back through a second window. */
  analysisGates?(context: HookContext): Promise<HookVerdict>;
  /** After a rollback, before its window closes. */
  rollbackGates?(context: HookContext): Promise<HookVerdict>;
}
