import { z } from 'zod';
import { STEPS, type StepName } from '../../model/step-facts.js';
import { SERVER_OUTCOMES } from './server-outcome.js';
import { inconclusiveDecisionSchema, STEP_DETAIL_SCHEMAS, type StepDetail } from './step-detail.js';

/**
 * The journal: append-only, fsynced JSON lines in the campaign's state dir, one record per step
 * transition, `started` written BEFORE the side effect and the outcome after it. Replaying it is
 * the only way to know a server's state; status, reports and metrics are views of it.
 *
 * The shape is versioned (`v`) and only ever grows: reports written from an old journal must
 * keep working, so fields are added, never renamed or dropped. The schemas below are the shape:
 * the types are read off them, and every line is validated against them when read back. They
 * are a deliberate table, one schema per record kind, alike in shape by nature.
 */

export const JOURNAL_VERSION = 1;

// The step names and the outcomes are the records' vocabulary: their readers import them here.
export { STEPS, type StepName } from '../../model/step-facts.js';
export { SERVER_OUTCOMES, type ServerOutcome } from './server-outcome.js';

export const STEP_EVENTS = ['started', 'succeeded', 'failed', 'skipped'] as const;
export type StepEvent = (typeof STEP_EVENTS)[number];

/** What the engine alerts on. */
export const ALERT_KINDS = [
  'shutdown-over-budget',
  'window-over-target',
  'failure-budget-exceeded',
  'stale-lock',
  'canary-failed',
  'other',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const errorSummarySchema = z.object({ code: z.string(), message: z.string() });
export type ErrorSummary = z.output<typeof errorSummarySchema>;

const recordBase = {
  /** The journal version that wrote it (never newer than this dbwave's). */
  v: z.number().int().min(1),
  /** Position in the journal, from 1: gaps or repeats mean damage. */
  seq: z.number().int(),
  /** ISO instant. */
  at: z.string(),
  campaign: z.string(),
  wave: z.number().int(),
};

const waveRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('wave'),
  event: z.enum(['started', 'resumed', 'finished', 'halted']),
  servers: z.array(z.string()).readonly().optional(),
  operator: z.object({ user: z.string(), host: z.string(), pid: z.number() }).optional(),
  reason: z.string().optional(),
  /** `run` or `rollback`: what the operator asked for. */
  action: z.enum(['run', 'rollback']).optional(),
  /** The wave began out of order (`run --override-order --reason`): why, and what was overridden. */
  orderOverride: z.object({ reason: z.string(), refusals: z.array(z.string()).readonly() }).optional(),
});
export type WaveRecord = z.output<typeof waveRecordSchema>;

/** A step record as read, before its detail is checked against its step's shape. */
const stepLineSchema = z.object({
  ...recordBase,
  kind: z.literal('step'),
  server: z.string(),
  step: z.enum(STEPS),
  event: z.enum(STEP_EVENTS),
  /** Step-specific facts (step-detail.ts): versions seen, dirty pages, where the run goes next... */
  detail: z.unknown().optional(),
  error: errorSummarySchema.optional(),
});
type StepLine = z.output<typeof stepLineSchema>;

/** A step's name with its detail, for any of the steps `S`: a union discriminated by `step`. */
export type StepFieldsOf<S extends StepName> = {
  [K in S]: { readonly step: K; readonly detail?: StepDetail<K> };
}[S];
/** A step's name with its detail, for any step. */
export type StepFields = StepFieldsOf<StepName>;

/**
 * Ties a step and its detail into one member of the `StepFields` union. TypeScript cannot see
 * that `{ step: S; detail: StepDetail<S> }` of a generic `S` is a member of the union over all
 * steps (a correlated union); the signature ties the two together, so this is the one place
 * that says so.
 */
export function stepFields<S extends StepName>(step: S, detail?: StepDetail<S>): StepFields {
  return (detail === undefined ? { step } : { step, detail }) as StepFields;
}

/** A record of any of the steps `S`: its detail has that step's shape (`StepDetail<S>`). */
export type StepRecordOf<S extends StepName> = Omit<StepLine, 'step' | 'detail'> & StepFieldsOf<S>;
/** A step record: a union discriminated by `step`. */
export type StepRecord = StepRecordOf<StepName>;
/** The records of the steps `S`, picked out of the union (for type predicates). */
export type StepRecordFor<S extends StepName> = Extract<StepRecord, { readonly step: S }>;

const outcomeRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('outcome'),
  server: z.string(),
  outcome: z.enum(SERVER_OUTCOMES),
  reason: z.string().optional(),
});
export type OutcomeRecord = z.output<typeof outcomeRecordSchema>;

const alertRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('alert'),
  server: z.string().optional(),
  alert: z.enum(ALERT_KINDS),
  message: z.string(),
});
export type AlertRecord = z.output<typeof alertRecordSchema>;

const gateRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('gate'),
  server: z.string(),
  phase: z.enum(['readiness', 'analysis', 'rollback']),
  gate: z.string(),
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  evidence: z.string(),
  /** How long the gate's probe took: what the readiness gates add to the 503 window. */
  durationMs: z.number().optional(),
  /** What was decided on an inconclusive verdict, and by whom. */
  decision: inconclusiveDecisionSchema.optional(),
});
export type GateRecord = z.output<typeof gateRecordSchema>;

/** What a history baseline record says of itself: the report names the baseline by it. */
const historyBaselineSchema = z.object({
  /** The sampling it is the baseline of. */
  for: z.enum(['after', 'recheck']),
  /** Prometheus's URL, secrets masked. */
  source: z.string(),
  /** Days looked back, and how many of them had data at this hour. */
  days: z.number().int(),
  daysWithData: z.number().int(),
  /** Per metric: how far a normal past day strayed from the baseline value (what the threshold adds). */
  swing: z.record(z.string(), z.number()).readonly(),
  /** Why the history was not used and the sampled minute was (unreachable, too little history). */
  fellBack: z.string().optional(),
});
export type HistoryBaselineInfo = z.output<typeof historyBaselineSchema>;

/** A set of InnoDB samples (rates per second and gauges) taken from one server. */
const statsRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('stats'),
  server: z.string(),
  /**
   * baseline: before the window; after: after warm-up; recheck: `dbwave compare`; control: a
   * not-yet-upgraded peer; history: the baseline taken from Prometheus for the `after` or
   * `recheck` sampling journaled just before it (campaign `baseline.prometheus`).
   */
  phase: z.enum(['baseline', 'after', 'recheck', 'control', 'history']),
  /** For a control: the upgraded server it is a control for. */
  controlFor: z.string().optional(),
  /** For a control: which of the server's samplings it ran beside (a control is sampled at both). */
  controlPhase: z.enum(['baseline', 'after', 'recheck']).optional(),
  intervalMs: z.number(),
  /** metric name -> one value per sample interval (rates for counters, readings for gauges). */
  series: z.record(z.string(), z.array(z.number()).readonly()).readonly(),
  /** Intervals dropped because the server restarted inside them (counters went down). */
  droppedIntervals: z.number().optional(),
  /**
   * Sources the server's flavour does not publish, left unread, each with why (`MariaDB
   * 10.11.19 has no Innodb_rows_read ...`): a metric missing from `series` is explained here.
   */
  skipped: z
    .array(z.object({ source: z.string(), reason: z.string() }))
    .readonly()
    .optional(),
  /** When the server last started (ISO): the last reading's time less its Uptime. */
  serverStartedAt: z.string().optional(),
  /** The wait before sampling: buffer pool load (`completed`, `not-enabled`, `timed-out`...) and warm-up. */
  warmup: z.object({ bufferPoolLoad: z.string(), waitedMs: z.number() }).optional(),
  /** For phase history: where it came from and how much of it there was. */
  history: historyBaselineSchema.optional(),
});
export type StatsRecord = z.output<typeof statsRecordSchema>;

/** Shutdown progress while the server still answers: journaled at most every 30 s. */
const progressRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('progress'),
  server: z.string(),
  step: z.enum(STEPS),
  dirtyPages: z.number().optional(),
  historyListLength: z.number().optional(),
  etaMs: z.number().optional(),
  message: z.string().optional(),
});
export type ProgressRecord = z.output<typeof progressRecordSchema>;

/**
 * The `wave` of a record about the campaign rather than one of its waves (waves count from 1):
 * wave reports, which read one wave's records, leave it out.
 */
export const CAMPAIGN_WAVE = 0;

/**
 * `dbwave handoff PLAN --to NAME`: the person in charge hands the campaign to another of
 * `owners.people`, across a shift or a time zone. Written at wave {@link CAMPAIGN_WAVE}; status
 * shows the latest, and the next broadcast announces it once.
 */
const handoffRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('handoff'),
  /** Who was in charge when it was recorded (the day's owner, or the last hand-off's `to`), if anyone. */
  from: z.string().optional(),
  /** Who is in charge from now on: one of the campaign's `owners.people`. */
  to: z.string(),
  /** What the person taking over must know, one line. */
  note: z.string().optional(),
  /** The operator's user name and host that recorded it. */
  user: z.string(),
  host: z.string(),
});
export type HandoffRecord = z.output<typeof handoffRecordSchema>;
/** What the canary stage journals, in order: the bake begins, each comparison, the decision. */
export const CANARY_EVENTS = ['bake-started', 'bake-check', 'decided'] as const;
export type CanaryEvent = (typeof CANARY_EVENTS)[number];

/** One canary's comparison with its controls during the bake (the InnoDB gate's verdict). */
const canaryCheckSchema = z.object({
  server: z.string(),
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  evidence: z.string(),
});
export type CanaryCheck = z.output<typeof canaryCheckSchema>;

/**
 * The first wave's canary stage: the bake's start and end time, each comparison of the canaries
 * with their controls (the verdict so far), and whether the wave goes on. A resumed run continues
 * the bake from these records: the countdown is never restarted nor skipped.
 */
const canaryRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('canary'),
  event: z.enum(CANARY_EVENTS),
  canaries: z.array(z.string()).readonly(),
  /** bake-started: how long the bake lasts, and when it ends (ISO instant). */
  bakeMs: z.number().optional(),
  endsAt: z.string().optional(),
  /** bake-check and decided: the verdict so far, the worst of the canaries' latest comparisons. */
  verdict: z.enum(['pass', 'fail', 'inconclusive']).optional(),
  checks: z.array(canaryCheckSchema).readonly().optional(),
  /** decided: the rest of the wave starts (go-on) or is not started (stop), and why. */
  decision: z.enum(['go-on', 'stop']).optional(),
  reason: z.string().optional(),
  /** decided stop: the canaries that go back to the old version through the rollback path. */
  rollBack: z.array(z.string()).readonly().optional(),
});
export type CanaryRecord = z.output<typeof canaryRecordSchema>;
/** What happens to a soak point: taken (started, then finished), or missed. */
export const SOAK_EVENTS = ['started', 'finished', 'missed'] as const;
export type SoakEvent = (typeof SOAK_EVENTS)[number];

const verdictSchema = z.enum(['pass', 'fail', 'inconclusive']);

/**
 * One soak point of a wave (campaign `soak.points`): `started` before its sampling (write-ahead:
 * a point started and never finished was interrupted and is taken again), `finished` with the
 * worst of its servers' verdicts, or `missed` when nothing took it within `soak.tolerance`.
 */
const soakRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('soak'),
  event: z.enum(SOAK_EVENTS),
  /** The point: milliseconds after the wave ended. */
  pointMs: z.number().int().nonnegative(),
  /** When it came due: the wave's end plus the point. */
  dueAt: z.string(),
  /** How late it was taken (started) or found missed. */
  lateMs: z.number().nonnegative(),
  /** The process that took it (or found it missed). */
  operator: z.object({ user: z.string(), host: z.string(), pid: z.number() }).optional(),
  /** finished: the worst of the servers' verdicts. */
  verdict: verdictSchema.optional(),
});
export type SoakRecord = z.output<typeof soakRecordSchema>;

/** One upgraded server's comparison at a soak point, journaled before the point's `finished`. */
const soakVerdictRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('soak-verdict'),
  server: z.string(),
  pointMs: z.number().int().nonnegative(),
  verdict: verdictSchema,
  evidence: z.string(),
});
export type SoakVerdictRecord = z.output<typeof soakVerdictRecordSchema>;

const journalLineSchema = z.discriminatedUnion('kind', [
  waveRecordSchema,
  stepLineSchema,
  outcomeRecordSchema,
  alertRecordSchema,
  gateRecordSchema,
  statsRecordSchema,
  progressRecordSchema,
  handoffRecordSchema,
  canaryRecordSchema,
  soakRecordSchema,
  soakVerdictRecordSchema,
]);

export type JournalRecord =
  | WaveRecord
  | StepRecord
  | OutcomeRecord
  | AlertRecord
  | GateRecord
  | StatsRecord
  | ProgressRecord
  | HandoffRecord
  | CanaryRecord
  | SoakRecord
  | SoakVerdictRecord;

/** What a record is before the journal numbers and stamps it. */
export type JournalEntry = JournalRecord extends infer R
  ? R extends JournalRecord
    ? Omit<R, 'v' | 'seq' | 'at' | 'campaign'>
    : never
  : never;

/** A line that is not a journal record: what is wrong with it, by key path. */
export interface InvalidRecord {
  readonly problem: string;
}

/** Validates one line's parsed JSON as a journal record; a step's detail against its step's shape. */
export function parseJournalRecord(value: unknown): JournalRecord | InvalidRecord {
  const line = journalLineSchema.safeParse(value);
  if (!line.success) return { problem: describeIssue(line.error) };
  if (line.data.kind !== 'step') return line.data;
  return typedStepRecord(line.data, line.data.step);
}

function typedStepRecord<S extends StepName>(line: StepLine, step: S): StepRecordOf<S> | InvalidRecord {
  const { step: _step, detail, ...rest } = line;
  if (detail === undefined) {
    const record: StepRecordOf<S> = { ...rest, step };
    return record;
  }
  const checked = STEP_DETAIL_SCHEMAS[step].safeParse(detail);
  if (!checked.success) return { problem: describeIssue(checked.error, 'detail') };
  const record: StepRecordOf<S> = { ...rest, step, detail: checked.data };
  return record;
}

function describeIssue(error: z.ZodError, under?: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'not a journal record';
  const path = [...(under === undefined ? [] : [under]), ...issue.path.map(String)].join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** The record is of step `step`: its detail has that step's shape. */
export function isStepRecordOf<S extends StepName>(
  record: StepRecord | undefined,
  step: S,
): record is StepRecordFor<S> {
  return record?.step === step;
}

/** What the journal adds to an entry when it writes it. */
export interface RecordStamp {
  readonly v: number;
  readonly seq: number;
  readonly at: string;
  readonly campaign: string;
}

/** The record an entry becomes once the journal numbers and stamps it. */
export function stampRecord(entry: JournalEntry, stamp: RecordStamp): JournalRecord {
  return { ...stamp, ...entry };
}
