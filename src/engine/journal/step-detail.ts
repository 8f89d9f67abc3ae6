import { z } from 'zod';
import { TEMPLATE_COMMANDS } from '../../model/campaign-templates.js';
import { STEPS, type StepName } from '../../model/step-facts.js';
import { SERVER_OUTCOMES } from './server-outcome.js';

/**
 * What each step journals in its records' `detail`: one shape per step, written by the step and
 * read back (by a resumed run, the replay, the reports) without guessing. The shapes only ever
 * grow: a key is added, never renamed or dropped, so that an old journal still reads. The
 * `started` record and the outcome record of a step share one shape; the replay merges them.
 * The schemas below are a deliberate table, one per step: alike in shape by nature.
 */

/** Where a server goes after a step: another step, or its final outcome. */
export const nextSchema = z.union([
  z.object({ step: z.enum(STEPS) }),
  z.object({ outcome: z.enum(SERVER_OUTCOMES), reason: z.string().optional() }),
]);
export type Next = z.output<typeof nextSchema>;

/** The outcome a server will get once its window is closed (set by a failure or a rollback). */
export const pendingOutcomeSchema = z.object({ outcome: z.enum(SERVER_OUTCOMES), reason: z.string() });
export type PendingOutcome = z.output<typeof pendingOutcomeSchema>;

/** What was decided on an inconclusive gate verdict, and by whom. */
export const inconclusiveDecisionSchema = z.object({
  action: z.enum(['continue', 'rollback', 'pause']),
  by: z.enum(['operator', 'campaign']),
  /** Why the campaign decided although a terminal was there: the window was open, or nobody answered in time. */
  because: z.enum(['inside-window', 'timed-out']).optional(),
});

/** Keys any step's detail may carry: the engine's own bookkeeping. */
const everyStep = {
  /** Where the run goes after this step (outcome records). */
  next: nextSchema.optional(),
  /** The outcome waiting for the window to close (a failure, or an operator's rollback). */
  pending: pendingOutcomeSchema.optional(),
  /** A resumed run found the step's effect already on the server. */
  reconciled: z.boolean().optional(),
};

const precheckDetail = z.object({
  ...everyStep,
  /** The version the server runs (SELECT VERSION()). */
  version: z.string().optional(),
  /** `@@version_comment`: with the version, tells MariaDB, MySQL and Percona apart. */
  versionComment: z.string().optional(),
  /** The installed package's version. */
  installedVersion: z.string().optional(),
  errorLog: z.string().optional(),
  dataDir: z.string().optional(),
  freeMb: z.number().optional(),
  oldestTransactionS: z.number().optional(),
  /** The systemd unit's TimeoutStopSec (prechecks.systemdUnit), ms or infinity. */
  systemdStopTimeoutMs: z.union([z.number(), z.literal('infinity')]).optional(),
  /** It is shorter than shutdown.hardLimit: what the alert said. */
  systemdStopTimeoutWarning: z.string().optional(),
  /**
   * The crashes the error log tells of before the campaign touched the server: its last
   * CRASH_HISTORY_MAX_BYTES (the whole log when it is smaller), read at precheck.
   */
  crashHistory: z
    .object({
      crashes: z.number().int().nonnegative(),
      /** The first stamped line read (ISO): the history covers from there to the precheck. */
      logFrom: z.string().optional(),
      bytesRead: z.number().int().nonnegative(),
      /** The whole log was read (false: only its end). */
      wholeLog: z.boolean(),
    })
    .optional(),
});

/**
 * What a stats or gates hook journals (HookVerdict.detail), and what the engine adds when the
 * hook did not pass.
 */
export const hookFactsSchema = z.object({
  /** Baseline: why there are no statistics (`gates.innodb: false`). */
  stats: z.string().optional(),
  /** Baseline: how many metrics were sampled. */
  metrics: z.number().optional(),
  /** Baseline: intervals dropped because the server restarted inside them. */
  droppedIntervals: z.number().optional(),
  /** Baseline: the controls sampled beside the server. */
  controls: z.array(z.string()).readonly().optional(),
  /** Gates: each gate's `name:verdict`. */
  gates: z.array(z.string()).readonly().optional(),
  /** Gates: the gates' probes, summed: what the readiness gates add to the window. */
  gatesMs: z.number().optional(),
  /** Gates: what was decided on an inconclusive verdict. */
  decision: inconclusiveDecisionSchema.optional(),
});
export type HookFacts = z.output<typeof hookFactsSchema>;

const hookStepDetail = z.object({
  ...everyStep,
  ...hookFactsSchema.shape,
  /** Why the hook did not pass. */
  reason: z.string().optional(),
  /** The hook paused the server for a person. */
  paused: z.boolean().optional(),
});

/** Why the pre-flush stopped waiting. */
export const PREFLUSH_ENDS = ['target', 'settled', 'timeout'] as const;
export type PreflushEnd = (typeof PREFLUSH_ENDS)[number];

const preflushDetail = z.object({
  ...everyStep,
  /** `false` when the campaign turned the pre-flush off. */
  enabled: z.boolean().optional(),
  /** The settings as they were (`started`): what is restored. */
  originalDirtyPagesPct: z.number().optional(),
  originalIoCapacity: z.number().optional(),
  originalIoCapacityMax: z.number().optional(),
  /** Settings the server does not have (`started`), left alone, and why (MySQL 5.1: no io_capacity_max). */
  skippedVariables: z
    .array(z.object({ name: z.string(), reason: z.string() }))
    .readonly()
    .optional(),
  /** Dirty pages when the pre-flush began (`started`). */
  dirtyPagesBefore: z.number().optional(),
  endedBy: z.enum(PREFLUSH_ENDS).optional(),
  reachedTarget: z.boolean().optional(),
  /** The settings stay changed until the shutdown, or the engine's cleanup, puts them back. */
  loweredUntilShutdown: z.boolean().optional(),
  /** Dirty pages at the pre-flush's last reading. */
  dirtyPages: z.number().optional(),
});

const windowOpenDetail = z.object({
  ...everyStep,
  /** Clock ms when the window opened: the close measures the window from it. */
  openedAt: z.number().optional(),
  /** A resumed run reopened the window before the step it resumes at. */
  reopen: z.boolean().optional(),
  /**
   * The error log's size before the window opened (`started`, mysqld running): where the
   * shutdown's lines begin, read here so that no round trip for it falls inside the window.
   */
  errorLogOffset: z.number().optional(),
  /** Draining before maint (HAProxy's `state drain`): how long it took. */
  drainMs: z.number().optional(),
  /** The drain ran out of `maintenance.drainTimeout` and the window opened anyway. */
  drainTimedOut: z.boolean().optional(),
  /** The server's sessions left when the drain ended (0 unless it timed out). */
  sessionsLeft: z.number().optional(),
  resumeAt: z.enum(STEPS).optional(),
});

const shutdownDetail = z.object({
  ...everyStep,
  /** The error log's size before the stop (`started`): where the shutdown's lines begin. */
  errorLogOffset: z.number().optional(),
  /** `false`: a rollback found mysqld already down. */
  wasRunning: z.boolean().optional(),
  /** The shutdown was started by an earlier run. */
  resumed: z.boolean().optional(),
  /** The budget and hard limit the wait applied. */
  budgetMs: z.number().optional(),
  hardLimitMs: z.number().optional(),
  /** From the stop to the exit. */
  elapsedMs: z.number().optional(),
  /** "Shutdown complete" was in the error log. */
  clean: z.boolean().optional(),
  /** The shutdown went past its budget (decided once, here; the alert says when). */
  overBudget: z.boolean().optional(),
  /** The error log's size after the exit: where the next start's lines begin. */
  errorLogSizeAfter: z.number().optional(),
  /** mysqld outlived the hard limit: the 503 window was left open for a person (it still flushes). */
  windowLeftOpen: z.boolean().optional(),
  /** Why it was skipped. */
  reason: z.string().optional(),
});

const packageDetail = z.object({
  ...everyStep,
  /** The installed package's version afterwards. */
  installedVersion: z.string().optional(),
  /** The campaign command it ran: upgrade or rollback, configure for a rolling restart. */
  command: z.enum(TEMPLATE_COMMANDS).optional(),
  /** Why it was skipped (a rolling restart with nothing to configure). */
  reason: z.string().optional(),
});

const startDetail = z.object({
  ...everyStep,
  /** The error log's size before the start: log gates read only what this start wrote. */
  errorLogOffset: z.number().optional(),
  /** From the start command to the first answer. */
  startMs: z.number().optional(),
});

const verifyDetail = z.object({
  ...everyStep,
  /** The version the server runs now. */
  version: z.string().optional(),
  /** verify.variables as the server answered them (SELECT @@GLOBAL.name). */
  variables: z.record(z.string(), z.string()).optional(),
});

const windowCloseDetail = z.object({
  ...everyStep,
  /** Open to close. */
  windowMs: z.number().optional(),
  /** dbwave failed or was interrupted: the window was closed on the way out (the error). */
  afterInterruption: z.string().optional(),
});

const postUpgradeDetail = z.object({
  ...everyStep,
  /** Why it was skipped (a rolling restart keeps the version). */
  reason: z.string().optional(),
});

const prepareDetail = z.object(everyStep);

/** Each step's detail shape. */
const detailSchemas = {
  precheck: precheckDetail,
  prepare: prepareDetail,
  baseline: hookStepDetail,
  preflush: preflushDetail,
  'window-open': windowOpenDetail,
  shutdown: shutdownDetail,
  upgrade: packageDetail,
  start: startDetail,
  'post-upgrade': postUpgradeDetail,
  verify: verifyDetail,
  'readiness-gates': hookStepDetail,
  'window-close': windowCloseDetail,
  'analysis-gates': hookStepDetail,
  'rollback-window-open': windowOpenDetail,
  'rollback-shutdown': shutdownDetail,
  'rollback-package': packageDetail,
  'rollback-start': startDetail,
  'rollback-verify': verifyDetail,
  'rollback-gates': hookStepDetail,
  'rollback-window-close': windowCloseDetail,
} satisfies { readonly [S in StepName]: z.ZodType };

/** Each step's detail type, by step name. */
export type StepDetailMap = { readonly [S in StepName]: z.output<(typeof detailSchemas)[S]> };

/** The detail of step `S`'s records, e.g. `StepDetail<'shutdown'>`; without `S`, any step's. */
export type StepDetail<S extends StepName = StepName> = StepDetailMap[S];

/** The validating schema of each step's detail, typed by step so that a parse needs no cast. */
export const STEP_DETAIL_SCHEMAS: { readonly [S in StepName]: z.ZodType<StepDetail<S>> } = detailSchemas;
