import type { AlertKind } from '../events/engine-events.js';
import type { StepName } from '../journal/journal-record.js';
import type { Next, PendingOutcome, StepDetail } from '../journal/step-detail.js';
import type { EngineHooks, HookContext } from '../ports/engine-hooks.js';
import type { HostCommands } from '../ports/host-commands.js';
import type { MaintenanceWindow } from '../ports/maintenance-window.js';
import type { ServerRunContext } from '../ports/server-run-context.js';
import type { SqlSession } from '../ports/sql-session.js';

export interface StepResult<S extends StepName = StepName> {
  readonly event: 'succeeded' | 'failed' | 'skipped';
  readonly next: Next;
  /** Journaled with the step's outcome record. */
  readonly detail?: StepDetail<S>;
  readonly error?: unknown;
  readonly pending?: PendingOutcome;
}

/** Where a failed step leads, and the outcome it sets for after the window. */
export interface StepFailure {
  readonly next: Next;
  readonly pending?: PendingOutcome;
}

/** What a step sees: the server, its connections, and the run's journaled facts so far. */
export interface StepContext extends ServerRunContext {
  readonly commands: HostCommands;
  readonly window: MaintenanceWindow;
  readonly hooks: EngineHooks;
  /** The session, or undefined when the server does not answer now. */
  readonly trySql: () => Promise<SqlSession | undefined>;
  /** Forgets the session (the server is stopping or restarting). */
  readonly dropSql: () => Promise<void>;
  /** Every journaled detail of `step` for this server, this run's and earlier runs', merged. */
  readonly detail: <S extends StepName>(step: S) => StepDetail<S>;
  /** The outcome waiting for the window to close, if a failure already decided it. */
  readonly pending: () => PendingOutcome | undefined;
  /** Whether the current window is the second one (an analysis-gate rollback). */
  readonly inSecondWindow: () => boolean;
  /** Past the campaign's point of no return: a downgrade needs a user migration. */
  readonly pastPointOfNoReturn: () => boolean;
  readonly progress: (
    step: StepName,
    fields: {
      message: string;
      dirtyPages?: number;
      historyListLength?: number;
      etaMs?: number;
      elapsedMs?: number;
      /** Keep this one in the journal (the caller throttles). */
      journal?: boolean;
    },
  ) => Promise<void>;
  readonly alert: (alert: AlertKind, message: string) => Promise<void>;
  readonly hookContext: () => HookContext;
}

/** One step of the machine: `run` does it; `probe` tells, after a crash mid-step, what it did. */
export interface StepHandler<S extends StepName = StepName> {
  readonly step: S;
  /** Read-only look before the `started` record, for facts the record must carry. */
  prepare?(context: StepContext): Promise<StepDetail<S>>;
  run(context: StepContext, prepared: StepDetail<S>): Promise<StepResult<S>>;
  /**
   * dbwave died between this step's `started` record and its outcome: look at the server and
   * return the step's result if its effect is already there, or `rerun` to run it again.
   */
  probe(context: StepContext): Promise<StepResult<S> | 'rerun'>;
  /** Where an error thrown by `run` leads. */
  onError(context: StepContext, error: unknown): StepFailure | Promise<StepFailure>;
}
