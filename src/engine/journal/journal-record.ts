/**
 * The journal: append-only, fsynced JSON lines in the campaign's state dir, one record per step
 * transition, `started` written BEFORE the side effect and the outcome after it. Replaying it is
 * the only way to know a server's state; status, reports and metrics are views of it.
 *
 * The shape is versioned (`v`) and only ever grows: reports written from an old journal must
 * keep working, so fields are added, never renamed or dropped.
 */

export const JOURNAL_VERSION = 1;

/** The per-server steps, in the order a healthy upgrade takes them. */
export const STEPS = [
  'precheck',
  'baseline',
  'preflush',
  'window-open',
  'shutdown',
  'upgrade',
  'start',
  'post-upgrade',
  'verify',
  'readiness-gates',
  'window-close',
  'analysis-gates',
  // A rollback's own steps: the second window (when the first is already closed) and the way back.
  'rollback-window-open',
  'rollback-shutdown',
  'rollback-package',
  'rollback-start',
  'rollback-verify',
  'rollback-gates',
  'rollback-window-close',
] as const;
export type StepName = (typeof STEPS)[number];

export type StepEvent = 'started' | 'succeeded' | 'failed' | 'skipped';

/**
 * Where a server ends up. Every planned server starts `NotExecuted`, so a report is complete
 * even after a failure or a crash.
 */
export const SERVER_OUTCOMES = [
  'NotExecuted',
  'InProgress',
  /** Upgraded, gates passed, window closed. */
  'Upgraded',
  /** Already on the `to` version at precheck: counts as done, nothing touched. */
  'AlreadyUpgraded',
  /** Failed its prechecks: no window was opened and nothing was touched. */
  'PrecheckFailed',
  /** Rolled back to `from` after a failure; healthy on the old version, window closed. */
  'RolledBack',
  /** dbwave stopped short and a person must look: the journal's reason says why. */
  'NeedsPerson',
  /** Past the point of no return: a downgrade would need a user migration. */
  'NeedsUserMigration',
] as const;
export type ServerOutcome = (typeof SERVER_OUTCOMES)[number];

export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
}

interface RecordBase {
  readonly v: typeof JOURNAL_VERSION;
  /** Position in the journal, from 1: gaps or repeats mean damage. */
  readonly seq: number;
  /** ISO instant. */
  readonly at: string;
  readonly campaign: string;
  readonly wave: number;
}

export interface WaveRecord extends RecordBase {
  readonly kind: 'wave';
  readonly event: 'started' | 'resumed' | 'finished' | 'halted';
  readonly servers?: readonly string[];
  readonly operator?: { readonly user: string; readonly host: string; readonly pid: number };
  readonly reason?: string;
  /** `run` or `rollback`: what the operator asked for. */
  readonly action?: 'run' | 'rollback';
}

export interface StepRecord extends RecordBase {
  readonly kind: 'step';
  readonly server: string;
  readonly step: StepName;
  readonly event: StepEvent;
  /** Step-specific facts: versions seen, dirty pages, the command's exit code, bytes written... */
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly error?: ErrorSummary;
}

export interface OutcomeRecord extends RecordBase {
  readonly kind: 'outcome';
  readonly server: string;
  readonly outcome: ServerOutcome;
  readonly reason?: string;
}

export interface AlertRecord extends RecordBase {
  readonly kind: 'alert';
  readonly server?: string;
  readonly alert:
    | 'shutdown-over-budget'
    | 'window-over-target'
    | 'failure-budget-exceeded'
    | 'stale-lock'
    | 'other';
  readonly message: string;
}

export interface GateRecord extends RecordBase {
  readonly kind: 'gate';
  readonly server: string;
  readonly phase: 'readiness' | 'analysis' | 'rollback';
  readonly gate: string;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  readonly evidence: string;
  /** How long the gate's probe took: what the readiness gates add to the 503 window. */
  readonly durationMs?: number;
  /** What was decided on an inconclusive verdict, and by whom. */
  readonly decision?: {
    readonly action: 'continue' | 'rollback' | 'pause';
    readonly by: 'operator' | 'campaign';
  };
}

/** A set of InnoDB samples (rates per second and gauges) taken from one server. */
export interface StatsRecord extends RecordBase {
  readonly kind: 'stats';
  readonly server: string;
  /** baseline: before the window; after: after warm-up; recheck: `dbwave compare`; control: a not-yet-upgraded peer. */
  readonly phase: 'baseline' | 'after' | 'recheck' | 'control';
  /** For a control: the upgraded server it is a control for. */
  readonly controlFor?: string;
  /** For a control: which of the server's samplings it ran beside (a control is sampled at both). */
  readonly controlPhase?: 'baseline' | 'after' | 'recheck';
  readonly intervalMs: number;
  /** metric name -> one value per sample interval (rates for counters, readings for gauges). */
  readonly series: Readonly<Record<string, readonly number[]>>;
  /** Intervals dropped because the server restarted inside them (counters went down). */
  readonly droppedIntervals?: number;
  /** The wait before sampling: buffer pool load (`completed`, `not-enabled`, `timed-out`...) and warm-up. */
  readonly warmup?: { readonly bufferPoolLoad: string; readonly waitedMs: number };
}

/** Shutdown progress while the server still answers: journaled at most every 30 s. */
export interface ProgressRecord extends RecordBase {
  readonly kind: 'progress';
  readonly server: string;
  readonly step: StepName;
  readonly dirtyPages?: number;
  readonly historyListLength?: number;
  readonly etaMs?: number;
  readonly message?: string;
}

export type JournalRecord =
  | WaveRecord
  | StepRecord
  | OutcomeRecord
  | AlertRecord
  | GateRecord
  | StatsRecord
  | ProgressRecord;

/** What a record is before the journal numbers and stamps it. */
export type JournalEntry = JournalRecord extends infer R
  ? R extends JournalRecord
    ? Omit<R, 'v' | 'seq' | 'at' | 'campaign'>
    : never
  : never;
