import type { ServerCrashes } from '../analysis/crash-count.js';
import type { CanaryStageState } from '../engine/journal/canary-stage-state.js';
import type { ServerOutcome, StepName } from '../engine/journal/journal-record.js';
import type { SoakPointStatus } from '../engine/wave/soak-schedule.js';
import type { Verdict } from '../gates/gate-verdict.js';

/**
 * The per-wave report: a view of the journal, never a source of truth. Its JSON form is a
 * documented contract (docs/reports.md): fields are only ever added, and `schemaVersion` moves
 * when a field changes meaning.
 */
export const REPORT_SCHEMA_VERSION = 1;

/** Where the wave stands, as far as the journal tells. */
export type WaveStatus =
  /** No record of this wave in the journal yet. */
  | 'not-started'
  /** Started and not finished: running now, or dbwave stopped without a `finished` record. */
  | 'in-progress'
  | 'finished'
  /** The failure budget was exceeded: no new server started. */
  | 'halted';

/** How a step's journal records ended. */
export type StepStatus =
  | 'succeeded'
  | 'failed'
  | 'skipped'
  /** Started, no outcome yet, and nothing later: in flight now (or dbwave was killed here). */
  | 'running'
  /** Started, then the same step started again on resume: the first attempt never reported. */
  | 'interrupted';

export interface StepTiming {
  readonly step: StepName;
  readonly status: StepStatus;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** One user-facing 503 window, measured from its `open` step starting to its `close` step ending. */
export interface WindowTiming {
  readonly openedAt: string;
  /** Absent while the window is still open (or was left open by a crash). */
  readonly closedAt?: string;
  readonly durationMs?: number;
  readonly targetMs: number;
  readonly overTarget: boolean;
}

export interface PreflushSummary {
  readonly status: StepStatus;
  /** Why it stopped waiting: dirty pages at the target, no longer falling, or the timeout. */
  readonly endedBy?: 'target' | 'settled' | 'timeout';
  readonly durationMs?: number;
  readonly dirtyPagesBefore?: number;
  readonly dirtyPagesAfter?: number;
}

export interface ShutdownSummary {
  readonly status: StepStatus;
  readonly durationMs?: number;
  readonly budgetMs: number;
  readonly overBudget: boolean;
  /** The last progress reading while the server still answered. */
  readonly lastDirtyPages?: number;
  readonly lastHistoryListLength?: number;
  readonly lastEtaMs?: number;
}

export interface GateVerdictEntry {
  readonly at: string;
  readonly phase: 'readiness' | 'analysis' | 'rollback';
  readonly gate: string;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  readonly evidence: string;
  /** How long the gate's probe took (readiness gates add it to the 503 window). */
  readonly durationMs?: number;
  readonly decision?: {
    readonly action: 'continue' | 'rollback' | 'pause';
    readonly by: 'operator' | 'campaign';
    /** The campaign decided inside the 503 window, or after the question timed out. */
    readonly because?: 'inside-window' | 'timed-out';
  };
}

/**
 * What one metric says about the upgrade: `fail` (worse beyond its threshold and not explained
 * by the controls), `inconclusive` (worse, within the server's own noise), `pass`,
 * `informational` (workload measures, never judged) or `no data`.
 */
export type InnodbMetricVerdict = 'pass' | 'fail' | 'inconclusive' | 'informational' | 'no data';

/** One row of a server's InnoDB comparison. `change` is relative: (after - before) / |before|. */
export interface InnodbMetricRow {
  readonly name: string;
  /** The baseline intervals summed up (median by default), per second for counters. */
  readonly before: number | null;
  readonly after: number | null;
  /** Relative change; null when `before` is 0 or a side has no samples. */
  readonly change: number | null;
  readonly verdict: InnodbMetricVerdict;
  /** The same-class controls' median relative shift over the same periods, when sampled. */
  readonly controlShift: number | null;
  /** Which way a change is bad: `higher-is-worse`, `lower-is-worse` or `informational`. */
  readonly direction?: string;
  /** One line saying why: values, allowed change, p-values, what the controls did. */
  readonly reason?: string;
}

/** A server's InnoDB comparison as the report shows it (see analysis/innodb-comparison.ts for the comparison). */
export interface InnodbTable {
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** `after` or `recheck`: which samples the table compares to the baseline. */
  readonly afterPhase: 'after' | 'recheck';
  /** Which baseline: the minute sampled before the window, or Prometheus's history (and why not, when it fell back). */
  readonly baseline?: string;
  readonly controls: readonly string[];
  readonly metrics: readonly InnodbMetricRow[];
}

export interface RollbackSummary {
  readonly reason: string;
  /** `in-window`: the first window was still open; `second-window`: after an analysis gate failed. */
  readonly path: 'in-window' | 'second-window';
  readonly status: StepStatus;
  readonly durationMs?: number;
}

export interface AlertEntry {
  readonly at: string;
  readonly server?: string;
  readonly alert: string;
  readonly message: string;
}

export interface ServerReport {
  readonly name: string;
  /** Hardware class, from the plan; absent when the report was built without it. */
  readonly class?: string;
  readonly outcome: ServerOutcome;
  readonly reason?: string;
  /** The step in flight, for a server `InProgress`. */
  readonly currentStep?: { readonly step: StepName; readonly since: string };
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly steps: readonly StepTiming[];
  readonly window?: WindowTiming;
  /** The second window a rollback after an analysis gate needed. */
  readonly rollbackWindow?: WindowTiming;
  readonly preflush?: PreflushSummary;
  readonly shutdown?: ShutdownSummary;
  readonly versions: { readonly before?: string; readonly after?: string };
  readonly gates: readonly GateVerdictEntry[];
  readonly innodb?: InnodbTable;
  readonly rollback?: RollbackSummary;
  readonly alerts: readonly AlertEntry[];
}

export interface ClassOutcome {
  readonly class: string;
  readonly planned: number;
  readonly outcomes: Readonly<Record<ServerOutcome, number>>;
}

export interface WaveSummary {
  readonly planned: number;
  readonly upgraded: number;
  readonly alreadyUpgraded: number;
  readonly rolledBack: number;
  readonly precheckFailed: number;
  readonly needsPerson: number;
  readonly needsUserMigration: number;
  readonly inProgress: number;
  readonly notExecuted: number;
  readonly classes: readonly ClassOutcome[];
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** First record to the `finished`/`halted` record (or the last record while in progress). */
  readonly wallTimeMs?: number;
  readonly failureBudget: {
    /** How the campaign wrote it: a count or "P%". */
    readonly spec: number | string;
    /** Failures the wave may absorb; one more halts it. */
    readonly allowed: number;
    readonly used: number;
    readonly exceeded: boolean;
  };
}

/** The wave began although the wave before it was not done (`run --override-order --reason`). */
export interface OrderOverrideEntry {
  readonly at: string;
  /** Who overrode: the operator's user and host, as the journal's wave record has them. */
  readonly by?: { readonly user: string; readonly host: string };
  readonly reason: string;
  /** What stood in the way, as the refusal said it. */
  readonly refusals: readonly string[];
}

/**
 * The first wave's canary stage: its canaries, where it stands, the bake's countdown and the
 * verdict so far, and the decision once taken (docs/canary.md).
 */
export type CanaryStageEntry = Omit<CanaryStageState, 'decision'> & {
  /**
   * `canaries-first`: the canaries run, the rest waits; `baking`: the bake is under way (or was,
   * when dbwave stopped: a resume continues it); `went-on`: the rest of the wave started;
   * `stopped`: the rest of the wave is not started.
   */
  readonly state: 'canaries-first' | 'baking' | 'went-on' | 'stopped';
  /** While baking: what is left of the bake at `generatedAt` (0 once its end has passed). */
  readonly remainingMs?: number;
};

/**
 * One soak point of the wave (campaign `soak.points`), as it stands when the report is built: its
 * schedule (soak-schedule.ts) without the servers (`SoakReport.servers` has them).
 */
export type SoakPointEntry = Omit<SoakPointStatus, 'servers' | 'journaled'> & {
  /** As campaigns write it: `+1h`. */
  readonly point: string;
};

/** One server's soak: its verdict at each point taken, in point order. */
export interface SoakServerTimeline {
  readonly server: string;
  readonly points: readonly {
    readonly point: string;
    readonly verdict: Verdict;
    readonly evidence: string;
  }[];
}

/** The wave's soak: hours after, not minutes after. Absent while the wave has not ended or without soak points. */
export interface SoakReport {
  readonly points: readonly SoakPointEntry[];
  /** Servers with a verdict at some point, in the wave's order. */
  readonly servers: readonly SoakServerTimeline[];
  /** Servers whose soak failed and that still run the new version: the next wave waits for them. */
  readonly failed: readonly string[];
  /** The rollback dbwave recommends for them (it never rolls back by itself after a soak). */
  readonly rollbackCommands: readonly string[];
}

/** One hardware class of the wave in the crash table: its servers, before the campaign and since their upgrade. */
export interface CrashClassEntry {
  readonly class: string;
  /** Each server with something known: its error log's crashes before, its unplanned restarts since. */
  readonly servers: readonly ({ readonly server: string } & ServerCrashes)[];
  /** Crashes the error logs told of at precheck; `overMs`: the longest history read (from its first stamped line). */
  readonly before: { readonly servers: number; readonly crashes: number; readonly overMs?: number };
  /** Restarts dbwave did not do, since each server's upgrade; `overMs`: the longest time watched. */
  readonly sinceUpgrade: {
    readonly servers: number;
    readonly unplannedRestarts: number;
    readonly overMs?: number;
  };
}

/** "Did the upgrade end the crashes?": per class, before the campaign and since the upgrade. */
export interface CrashReport {
  readonly classes: readonly CrashClassEntry[];
}

export interface WaveReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly campaign: string;
  /** Upgrade or rolling restart, and of what (absent in reports built without the campaign). */
  readonly change?: { readonly kind: 'upgrade' | 'restart'; readonly description: string };
  readonly wave: number;
  readonly generatedAt: string;
  readonly status: WaveStatus;
  /** Present when the wave began out of order: shown in every rendering of the report. */
  readonly orderOverride?: OrderOverrideEntry;
  /** Present when the wave has a canary stage (the campaign's first wave with `canary`). */
  readonly canary?: CanaryStageEntry;
  readonly limits: { readonly target503Ms: number; readonly shutdownBudgetMs: number };
  readonly journal: {
    readonly records: number;
    /** A last line cut short by a crash mid-write: it was ignored. */
    readonly tornTail: boolean;
    readonly lastRecordAt?: string;
  };
  readonly summary: WaveSummary;
  readonly alerts: readonly AlertEntry[];
  readonly servers: readonly ServerReport[];
  /** The soak points after the wave's end, when the campaign has some and the wave has ended. */
  readonly soak?: SoakReport;
  /** Crashes and unplanned restarts per class, before the campaign and since the upgrade (crash-report.ts). */
  readonly crashes?: CrashReport;
}
