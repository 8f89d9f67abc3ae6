import { laterSampling, latestSampling } from '../analysis/baseline-selection.js';
import { historyBeside } from '../analysis/history-baseline.js';
import {
  type AlertRecord,
  type GateRecord,
  isStepRecordOf,
  type JournalRecord,
  type OutcomeRecord,
  type ProgressRecord,
  SERVER_OUTCOMES,
  type ServerOutcome,
  type StatsRecord,
  type StepName,
  type StepRecord,
  type WaveRecord,
} from '../engine/journal/journal-record.js';
import {
  type JournalReplay,
  type OrderOverrideState,
  replayJournal,
  type ServerJournalState,
} from '../engine/journal/journal-replay.js';
import { allowedFailures, FAILURE_OUTCOMES } from '../engine/wave/failure-budget.js';
import type { CampaignKind } from '../model/campaign-schema.js';
import { isOverShutdownBudget } from '../model/shutdown-limits.js';
import { isRollbackStep } from '../model/step-facts.js';
import { canaryStageEntry } from './canary-stage-entry.js';
import { buildCrashReport } from './crash-report.js';
import { createInnodbComparer, type InnodbComparer } from './innodb-table.js';
import { buildSoakReport, type SoakReportInput } from './soak-report.js';
import {
  buildStepTimeline,
  firstAttempt,
  lastAttempt,
  publicTimeline,
  type TimedStep,
} from './step-timeline.js';
import {
  type AlertEntry,
  type ClassOutcome,
  type GateVerdictEntry,
  type InnodbTable,
  type OrderOverrideEntry,
  type PreflushSummary,
  REPORT_SCHEMA_VERSION,
  type RollbackSummary,
  type ServerReport,
  type ShutdownSummary,
  type WaveReport,
  type WaveStatus,
  type WindowTiming,
} from './wave-report.js';

/** The campaign's limits the report measures against. */
export interface ReportLimits {
  readonly target503Ms: number;
  readonly shutdownBudgetMs: number;
  /** A count, or "P%" of the wave. */
  readonly failureBudget: number | string;
}

/** What the campaign does to each server: its kind and the one-line description of it. */
export interface ReportChange {
  readonly kind: CampaignKind;
  /** `upgrade 10.11.19 -> 11.8.9`, `rolling restart of 9.7.4 (no version change)`. */
  readonly description: string;
}

export interface WaveReportInput {
  readonly campaign: string;
  /** The campaign's kind, shown in every rendering. Optional for reports built without a campaign. */
  readonly change?: ReportChange;
  readonly wave: number;
  /** The whole journal (any wave: records of other waves are ignored), in journal order. */
  readonly records: readonly JournalRecord[];
  readonly tornTail?: boolean;
  /** The plan's servers of this wave in execution order, so that servers never started get a row. */
  readonly plannedServers?: readonly { readonly name: string; readonly class: string }[];
  readonly limits: ReportLimits;
  /** The report's "now": for the age of open windows and in-flight steps. Milliseconds since the epoch. */
  readonly now: number;
  readonly compareInnodb?: InnodbComparer;
  /** The wave's canaries as the plan and the campaign give them (a first wave with `canary`). */
  readonly plannedCanaries?: readonly string[];
  /** The campaign's soak points and the plan file: the report then shows the wave's soak. */
  readonly soak?: SoakReportInput;
}

interface ServerRecords {
  readonly steps: StepRecord[];
  readonly outcomes: OutcomeRecord[];
  readonly gates: GateRecord[];
  readonly stats: StatsRecord[];
  readonly progress: ProgressRecord[];
  readonly alerts: AlertRecord[];
  readonly controls: StatsRecord[];
}

function emptyServerRecords(): ServerRecords {
  return { steps: [], outcomes: [], gates: [], stats: [], progress: [], alerts: [], controls: [] };
}

function elapsed(from: string, to: string | number): number {
  const end = typeof to === 'number' ? to : Date.parse(to);
  return Math.max(0, end - Date.parse(from));
}

function groupByServer(records: readonly JournalRecord[]): Map<string, ServerRecords> {
  const servers = new Map<string, ServerRecords>();
  const of = (name: string): ServerRecords => {
    let entry = servers.get(name);
    if (entry === undefined) {
      entry = emptyServerRecords();
      servers.set(name, entry);
    }
    return entry;
  };
  for (const record of records) {
    switch (record.kind) {
      case 'step':
        of(record.server).steps.push(record);
        break;
      case 'outcome':
        of(record.server).outcomes.push(record);
        break;
      case 'gate':
        of(record.server).gates.push(record);
        break;
      case 'progress':
        of(record.server).progress.push(record);
        break;
      case 'alert':
        if (record.server !== undefined) of(record.server).alerts.push(record);
        break;
      case 'stats':
        if (record.phase === 'control' && record.controlFor !== undefined) {
          of(record.controlFor).controls.push(record);
        } else {
          of(record.server).stats.push(record);
        }
        break;
      case 'wave':
        break;
    }
  }
  return servers;
}

/** Servers in plan order, then any the journal names that the plan does not (a hand-edited plan). */
function serverOrder(
  input: WaveReportInput,
  waveRecords: readonly WaveRecord[],
  seen: Iterable<string>,
): string[] {
  const order: string[] = [];
  const add = (name: string): void => {
    if (!order.includes(name)) order.push(name);
  };
  for (const server of input.plannedServers ?? []) add(server.name);
  for (const record of waveRecords) for (const name of record.servers ?? []) add(name);
  for (const name of seen) add(name);
  return order;
}

/**
 * One window: from its opening's success (when the load balancer confirmed it) to its closing's
 * success, as the engine's replay measures it. An opening that never reported counts from its
 * start, so that a window a crash may have left open is never missed.
 */
function windowBetween(
  steps: readonly TimedStep[],
  open: StepName,
  close: StepName,
  targetMs: number,
  now: number,
): WindowTiming | undefined {
  const opening = firstAttempt(steps, open);
  if (opening === undefined || opening.status === 'skipped' || opening.status === 'failed') return undefined;
  const openedAt =
    opening.status === 'succeeded' && opening.endedAt !== undefined ? opening.endedAt : opening.startedAt;
  const closing = steps.find(
    (step) =>
      step.step === close &&
      (step.status === 'succeeded' || step.status === 'skipped') &&
      Date.parse(step.startedAt) >= Date.parse(opening.startedAt),
  );
  const closedAt = closing?.endedAt;
  const durationMs = closedAt === undefined ? undefined : elapsed(openedAt, closedAt);
  const openFor = durationMs ?? elapsed(openedAt, now);
  return {
    openedAt,
    ...(closedAt === undefined ? {} : { closedAt, durationMs }),
    targetMs,
    overTarget: openFor > targetMs,
  };
}

function preflushOf(steps: readonly TimedStep[]): PreflushSummary | undefined {
  const step = lastAttempt(steps, 'preflush');
  if (step === undefined) return undefined;
  // The pre-flush journals the dirty pages it began with when it starts, and its last reading when it ends.
  const before = isStepRecordOf(step.startRecord, 'preflush')
    ? step.startRecord.detail?.dirtyPagesBefore
    : undefined;
  const ended = isStepRecordOf(step.endRecord, 'preflush') ? step.endRecord.detail : undefined;
  const after = ended?.dirtyPages;
  const endedBy = ended?.endedBy;
  return {
    status: step.status,
    ...(endedBy === undefined ? {} : { endedBy }),
    ...(step.durationMs === undefined ? {} : { durationMs: step.durationMs }),
    ...(before === undefined ? {} : { dirtyPagesBefore: before }),
    ...(after === undefined ? {} : { dirtyPagesAfter: after }),
  };
}

function shutdownOf(
  steps: readonly TimedStep[],
  records: ServerRecords,
  budgetMs: number,
  now: number,
): ShutdownSummary | undefined {
  const step = lastAttempt(steps, 'shutdown');
  if (step === undefined) return undefined;
  const progress = records.progress.filter((record) => record.step === 'shutdown').at(-1);
  // The shutdown step decides "over budget" (its alert says when) and journals it with the budget
  // it applied; a shutdown still running, or journaled before it said so, is measured here alike.
  const decided = isStepRecordOf(step.endRecord, 'shutdown') ? step.endRecord.detail : undefined;
  const budget = decided?.budgetMs ?? budgetMs;
  const alerted = records.alerts.some((alert) => alert.alert === 'shutdown-over-budget');
  const overBudget =
    alerted ||
    (decided?.overBudget ?? isOverShutdownBudget(step.durationMs ?? elapsed(step.startedAt, now), budget));
  return {
    status: step.status,
    ...(step.durationMs === undefined ? {} : { durationMs: step.durationMs }),
    budgetMs: budget,
    overBudget,
    ...(progress?.dirtyPages === undefined ? {} : { lastDirtyPages: progress.dirtyPages }),
    ...(progress?.historyListLength === undefined
      ? {}
      : { lastHistoryListLength: progress.historyListLength }),
    ...(progress?.etaMs === undefined ? {} : { lastEtaMs: progress.etaMs }),
  };
}

/** The replay's versions: what precheck found and verify confirmed (precheck's for a server already upgraded). */
function versionsOf(
  state: ServerJournalState | undefined,
  outcome: ServerOutcome,
): { before?: string; after?: string } {
  const before = state?.versionBefore;
  const after = state?.versionAfter ?? (outcome === 'AlreadyUpgraded' ? before : undefined);
  return { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
}

function rollbackOf(
  steps: readonly TimedStep[],
  records: ServerRecords,
  outcome: ServerOutcome,
): RollbackSummary | undefined {
  const rollbackSteps = steps.filter((step) => isRollbackStep(step.step));
  if (rollbackSteps.length === 0 && outcome !== 'RolledBack') return undefined;
  const first = rollbackSteps[0];
  const firstRollbackAt = first === undefined ? Number.POSITIVE_INFINITY : Date.parse(first.startedAt);
  const failedGate = records.gates.find(
    (gate) => gate.verdict === 'fail' && gate.phase !== 'rollback' && Date.parse(gate.at) <= firstRollbackAt,
  );
  const failedStep = steps.find(
    (step) =>
      step.status === 'failed' && !isRollbackStep(step.step) && Date.parse(step.startedAt) <= firstRollbackAt,
  );
  const outcomeReason = records.outcomes.at(-1)?.reason;
  const reason =
    (failedGate === undefined
      ? undefined
      : `${failedGate.phase} gate ${failedGate.gate} failed: ${failedGate.evidence}`) ??
    (failedStep === undefined
      ? undefined
      : `${failedStep.step} failed${failedStep.error === undefined ? '' : `: ${failedStep.error.message}`}`) ??
    outcomeReason ??
    'no reason recorded';
  const ended = rollbackSteps
    .map((step) => step.endedAt)
    .filter((at): at is string => at !== undefined)
    .at(-1);
  const path = rollbackSteps.some((step) => step.step === 'rollback-window-open')
    ? 'second-window'
    : 'in-window';
  // Skipped steps (nothing to stop, no gates configured) do not make the rollback skipped.
  const status = rollbackSteps.some((step) => step.status === 'failed')
    ? 'failed'
    : rollbackSteps.some((step) => step.status === 'running' || step.status === 'interrupted')
      ? (rollbackSteps.find((step) => step.status === 'running' || step.status === 'interrupted')?.status ??
        'running')
      : 'succeeded';
  return {
    reason,
    path,
    status,
    ...(first === undefined || ended === undefined ? {} : { durationMs: elapsed(first.startedAt, ended) }),
  };
}

function alertEntry(record: AlertRecord): AlertEntry {
  return {
    at: record.at,
    ...(record.server === undefined ? {} : { server: record.server }),
    alert: record.alert,
    message: record.message,
  };
}

function gateEntry(record: GateRecord): GateVerdictEntry {
  return {
    at: record.at,
    phase: record.phase,
    gate: record.gate,
    verdict: record.verdict,
    evidence: record.evidence,
    ...(record.durationMs === undefined ? {} : { durationMs: record.durationMs }),
    ...(record.decision === undefined ? {} : { decision: record.decision }),
  };
}

function innodbOf(name: string, records: ServerRecords, compare: InnodbComparer): InnodbTable | undefined {
  const baseline = latestSampling(records.stats, name, 'baseline');
  const after = laterSampling(records.stats, name);
  if (baseline === undefined || after === undefined) return undefined;
  return compare({
    baseline,
    after,
    controls: records.controls,
    history: historyBeside(records.stats, after),
  });
}

function buildServer(
  name: string,
  serverClass: string | undefined,
  records: ServerRecords,
  replay: JournalReplay,
  input: WaveReportInput,
  compare: InnodbComparer,
): ServerReport {
  const state = replay.servers.get(name);
  const outcome = state?.outcome ?? 'NotExecuted';
  const steps = buildStepTimeline(records.steps, outcome === 'InProgress');
  const running = steps.filter((step) => step.status === 'running').at(-1);
  const firstAt = records.steps[0]?.at;
  const done = outcome !== 'InProgress' && outcome !== 'NotExecuted';
  const endedAt = done ? (records.outcomes.at(-1)?.at ?? records.steps.at(-1)?.at) : undefined;
  const window = windowBetween(steps, 'window-open', 'window-close', input.limits.target503Ms, input.now);
  const rollbackWindow = windowBetween(
    steps,
    'rollback-window-open',
    'rollback-window-close',
    input.limits.target503Ms,
    input.now,
  );
  const preflush = preflushOf(steps);
  const shutdown = shutdownOf(steps, records, input.limits.shutdownBudgetMs, input.now);
  const innodb = innodbOf(name, records, compare);
  const rollback = rollbackOf(steps, records, outcome);
  return {
    name,
    ...(serverClass === undefined ? {} : { class: serverClass }),
    outcome,
    ...(state?.reason === undefined || !done ? {} : { reason: state.reason }),
    ...(running === undefined ? {} : { currentStep: { step: running.step, since: running.startedAt } }),
    ...(firstAt === undefined ? {} : { startedAt: firstAt }),
    ...(endedAt === undefined || firstAt === undefined
      ? {}
      : { endedAt, durationMs: elapsed(firstAt, endedAt) }),
    steps: publicTimeline(steps),
    ...(window === undefined ? {} : { window }),
    ...(rollbackWindow === undefined ? {} : { rollbackWindow }),
    ...(preflush === undefined ? {} : { preflush }),
    ...(shutdown === undefined ? {} : { shutdown }),
    versions: versionsOf(state, outcome),
    gates: records.gates.map(gateEntry),
    ...(innodb === undefined ? {} : { innodb }),
    ...(rollback === undefined ? {} : { rollback }),
    alerts: records.alerts.map(alertEntry),
  };
}

function orderOverrideEntry(state: OrderOverrideState | undefined): OrderOverrideEntry | undefined {
  if (state === undefined) return undefined;
  const { at, operator, reason, refusals } = state;
  return {
    at,
    ...(operator === undefined ? {} : { by: { user: operator.user, host: operator.host } }),
    reason,
    refusals,
  };
}

function waveStatusOf(replay: JournalReplay, wave: number, anyRecord: boolean): WaveStatus {
  const state = replay.waves.get(wave);
  if (state === undefined) return anyRecord ? 'in-progress' : 'not-started';
  return state.status === 'running' ? 'in-progress' : state.status;
}

function zeroOutcomes(): Record<ServerOutcome, number> {
  return Object.fromEntries(SERVER_OUTCOMES.map((outcome) => [outcome, 0])) as Record<ServerOutcome, number>;
}

function classOutcomes(servers: readonly ServerReport[]): ClassOutcome[] {
  const classes = new Map<string, { planned: number; outcomes: Record<ServerOutcome, number> }>();
  for (const server of servers) {
    const key = server.class ?? 'unknown';
    const entry = classes.get(key) ?? { planned: 0, outcomes: zeroOutcomes() };
    entry.planned += 1;
    entry.outcomes[server.outcome] += 1;
    classes.set(key, entry);
  }
  return [...classes.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, entry]) => ({ class: name, planned: entry.planned, outcomes: entry.outcomes }));
}

/**
 * The wave report, from journal records alone (plus the plan's server list when given). Pure:
 * the same records and `now` always give the same report, so it can be rebuilt anywhere the
 * state dir is copied to, during a wave or after a crash.
 */
export function buildWaveReport(input: WaveReportInput): WaveReport {
  const records = input.records.filter((record) => record.wave === input.wave);
  const waveRecords = records.filter((record): record is WaveRecord => record.kind === 'wave');
  const byServer = groupByServer(records);
  const replay = replayJournal(records);
  const classOf = new Map((input.plannedServers ?? []).map((server) => [server.name, server.class]));
  const compare = input.compareInnodb ?? createInnodbComparer();
  const servers = serverOrder(input, waveRecords, byServer.keys()).map((name) =>
    buildServer(name, classOf.get(name), byServer.get(name) ?? emptyServerRecords(), replay, input, compare),
  );
  const count = (outcome: ServerOutcome): number =>
    servers.filter((server) => server.outcome === outcome).length;
  const status = waveStatusOf(replay, input.wave, records.length > 0);
  const startedAt = waveRecords.find((record) => record.event === 'started')?.at ?? records[0]?.at;
  const endRecord = waveRecords
    .filter((record) => record.event === 'finished' || record.event === 'halted')
    .at(-1);
  const endedAt = status === 'finished' || status === 'halted' ? endRecord?.at : undefined;
  const wallEnd = endedAt ?? records.at(-1)?.at;
  const used = servers.filter((server) => FAILURE_OUTCOMES.includes(server.outcome)).length;
  const allowed = allowedFailures(input.limits.failureBudget, servers.length);
  const orderOverride = orderOverrideEntry(replay.waves.get(input.wave)?.orderOverride);
  const canary = canaryStageEntry(replay.waves.get(input.wave)?.canary, input.plannedCanaries, input.now);
  const soak =
    input.soak === undefined ? undefined : buildSoakReport(records, input.wave, input.soak, input.now);
  const crashes = buildCrashReport(
    records,
    servers.map((server) => ({
      name: server.name,
      ...(server.class === undefined ? {} : { class: server.class }),
    })),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    campaign: input.campaign,
    ...(input.change === undefined ? {} : { change: input.change }),
    wave: input.wave,
    generatedAt: new Date(input.now).toISOString(),
    status,
    ...(orderOverride === undefined ? {} : { orderOverride }),
    ...(canary === undefined ? {} : { canary }),
    limits: { target503Ms: input.limits.target503Ms, shutdownBudgetMs: input.limits.shutdownBudgetMs },
    journal: {
      records: records.length,
      tornTail: input.tornTail === true,
      ...(records.at(-1) === undefined ? {} : { lastRecordAt: records.at(-1)?.at }),
    },
    summary: {
      planned: servers.length,
      upgraded: count('Upgraded'),
      alreadyUpgraded: count('AlreadyUpgraded'),
      rolledBack: count('RolledBack'),
      precheckFailed: count('PrecheckFailed'),
      needsPerson: count('NeedsPerson'),
      needsUserMigration: count('NeedsUserMigration'),
      inProgress: count('InProgress'),
      notExecuted: count('NotExecuted'),
      classes: classOutcomes(servers),
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(endedAt === undefined ? {} : { endedAt }),
      ...(startedAt === undefined || wallEnd === undefined
        ? {}
        : { wallTimeMs: elapsed(startedAt, wallEnd) }),
      failureBudget: { spec: input.limits.failureBudget, allowed, used, exceeded: used > allowed },
    },
    alerts: records.filter((record): record is AlertRecord => record.kind === 'alert').map(alertEntry),
    servers,
    ...(soak === undefined ? {} : { soak }),
    ...(crashes === undefined ? {} : { crashes }),
  };
}
