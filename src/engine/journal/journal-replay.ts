import { closesWindow, opensWindow } from '../../model/step-facts.js';
import { applyCanaryRecord, type CanaryStageState } from './canary-stage-state.js';
import {
  type AlertRecord,
  type ErrorSummary,
  type JournalRecord,
  type ServerOutcome,
  type StepEvent,
  type StepFields,
  type StepName,
  type StepRecord,
  stepFields,
  type WaveRecord,
} from './journal-record.js';

/**
 * Replaying the journal: the only way to know where each server is. Pure; `dbwave run` resumes
 * from it, `dbwave status` and the reports show it.
 */

/**
 * One step of one server as the journal saw it (its latest attempt). `detail` is the details of
 * every record of the step, merged in order (later keys win).
 */
export type StepTiming = StepFields & {
  /** The step's latest event. */
  readonly event: StepEvent;
  readonly startedAt?: string;
  /** When it succeeded, failed or was skipped. */
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly error?: ErrorSummary;
  /** How many times it was started (more than one after a resume). */
  readonly attempts: number;
};

/**
 * The user-facing window as far as the journal knows: `opening`/`closing` mean dbwave stopped
 * between the `started` record and its outcome, so only a probe of the load balancer can tell.
 */
export type WindowState = 'never-opened' | 'opening' | 'open' | 'closing' | 'closed';

export interface ServerJournalState {
  readonly server: string;
  readonly wave: number;
  /** `NotExecuted` until a step is journaled, `InProgress` until an outcome is. */
  readonly outcome: ServerOutcome;
  readonly reason?: string;
  readonly lastStep?: StepName;
  readonly lastEvent?: StepEvent;
  readonly lastAt?: string;
  /** Steps in the order they were first journaled. */
  readonly steps: readonly StepTiming[];
  readonly window: WindowState;
  readonly windowOpenedAt?: string;
  readonly windowClosedAt?: string;
  /** Open to close of the 503 window(s), summed, once closed. */
  readonly windowMs?: number;
  /** The version precheck found, and the one verify (or rollback-verify) confirmed. */
  readonly versionBefore?: string;
  readonly versionAfter?: string;
  readonly alerts: readonly AlertRecord[];
}

export interface WaveJournalState {
  readonly wave: number;
  readonly status: 'running' | 'finished' | 'halted';
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly runs: number;
  readonly servers: readonly string[];
  readonly reason?: string;
  readonly operator?: WaveRecord['operator'];
  /** The wave began out of order: the operator's reason, what was overridden, who and when. */
  readonly orderOverride?: OrderOverrideState;
  /** The first wave's canary stage, once it began its bake or decided. */
  readonly canary?: CanaryStageState;
}

/** `run --override-order` as the journal keeps it: the override, by whom and when. */
export type OrderOverrideState = NonNullable<WaveRecord['orderOverride']> & {
  readonly at: string;
  readonly operator?: WaveRecord['operator'];
};

export interface JournalReplay {
  /** By server name, in order of first appearance. */
  readonly servers: ReadonlyMap<string, ServerJournalState>;
  readonly waves: ReadonlyMap<number, WaveJournalState>;
  /** Alerts that name no server (stale lock, failure budget). */
  readonly alerts: readonly AlertRecord[];
  readonly lastSeq: number;
}

interface MutableServer {
  server: string;
  wave: number;
  outcome: ServerOutcome;
  reason?: string;
  lastStep?: StepName;
  lastEvent?: StepEvent;
  lastAt?: string;
  steps: Map<StepName, StepTiming>;
  window: WindowState;
  windowOpenedAt?: string;
  windowClosedAt?: string;
  windowMs?: number;
  versionBefore?: string;
  versionAfter?: string;
  alerts: AlertRecord[];
}

function blankServer(server: string, wave: number): MutableServer {
  return { server, wave, outcome: 'NotExecuted', steps: new Map(), window: 'never-opened', alerts: [] };
}

function elapsed(from: string | undefined, to: string): number | undefined {
  if (from === undefined) return undefined;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

function applyStep(state: MutableServer, record: StepRecord): void {
  const previous = state.steps.get(record.step);
  const started = record.event === 'started';
  const startedAt = started ? record.at : previous?.startedAt;
  const next: StepTiming = {
    ...stepFields(record.step, { ...previous?.detail, ...record.detail }),
    event: record.event,
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(started ? {} : { endedAt: record.at }),
    ...(started ? {} : optional('durationMs', elapsed(startedAt, record.at))),
    ...(record.error === undefined ? {} : { error: record.error }),
    attempts: (previous?.attempts ?? 0) + (started ? 1 : 0),
  };
  state.steps.set(record.step, next);
  state.lastStep = record.step;
  state.lastEvent = record.event;
  state.lastAt = record.at;
  if (state.outcome === 'NotExecuted') state.outcome = 'InProgress';

  if (opensWindow(record.step)) {
    if (started) state.window = 'opening';
    else if (record.event === 'succeeded') {
      state.window = 'open';
      state.windowOpenedAt = record.at;
      state.windowClosedAt = undefined;
    }
  }
  if (closesWindow(record.step)) {
    if (started) state.window = 'closing';
    else if (record.event === 'succeeded' || record.event === 'skipped') {
      state.window = 'closed';
      state.windowClosedAt = record.at;
      const openFor = elapsed(state.windowOpenedAt, record.at);
      if (openFor !== undefined) state.windowMs = (state.windowMs ?? 0) + openFor;
    }
  }
  if (record.event === 'started') return;
  if (record.step === 'precheck' && record.detail?.version !== undefined) {
    state.versionBefore = record.detail.version;
  }
  if (
    (record.step === 'verify' || record.step === 'rollback-verify') &&
    record.detail?.version !== undefined
  ) {
    state.versionAfter = record.detail.version;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Folds journal records, in order, into every server's and every wave's state. */
export function replayJournal(records: readonly JournalRecord[]): JournalReplay {
  const servers = new Map<string, MutableServer>();
  const waves = new Map<number, WaveJournalState>();
  const alerts: AlertRecord[] = [];
  let lastSeq = 0;
  const serverState = (name: string, wave: number): MutableServer => {
    let state = servers.get(name);
    if (!state) {
      state = blankServer(name, wave);
      servers.set(name, state);
    }
    return state;
  };

  for (const record of records) {
    lastSeq = Math.max(lastSeq, record.seq);
    switch (record.kind) {
      case 'wave': {
        const previous = waves.get(record.wave);
        const listed = record.servers ?? previous?.servers ?? [];
        for (const name of listed) serverState(name, record.wave);
        const running = record.event === 'started' || record.event === 'resumed';
        waves.set(record.wave, {
          wave: record.wave,
          status: running ? 'running' : record.event === 'halted' ? 'halted' : 'finished',
          startedAt: previous?.startedAt ?? record.at,
          ...(running ? {} : { endedAt: record.at }),
          runs: (previous?.runs ?? 0) + (running ? 1 : 0),
          servers: listed,
          ...optional('reason', record.reason ?? (running ? undefined : previous?.reason)),
          ...optional('operator', record.operator ?? previous?.operator),
          ...optional('orderOverride', overrideOf(record) ?? previous?.orderOverride),
          ...optional('canary', previous?.canary),
        });
        break;
      }
      case 'canary': {
        const previous = waves.get(record.wave);
        // A canary record always follows its wave's `started` record.
        if (previous !== undefined)
          waves.set(record.wave, { ...previous, canary: applyCanaryRecord(previous.canary, record) });
        break;
      }
      case 'step':
        applyStep(serverState(record.server, record.wave), record);
        break;
      case 'outcome': {
        const state = serverState(record.server, record.wave);
        state.outcome = record.outcome;
        state.reason = record.reason;
        state.lastAt = record.at;
        break;
      }
      case 'alert':
        if (record.server === undefined) alerts.push(record);
        else serverState(record.server, record.wave).alerts.push(record);
        break;
      default:
        break;
    }
  }

  const frozen = new Map<string, ServerJournalState>();
  for (const [name, state] of servers) {
    const { steps, ...rest } = state;
    frozen.set(name, stripUndefined({ ...rest, steps: [...steps.values()] }));
  }
  return { servers: frozen, waves, alerts, lastSeq };
}

function overrideOf(record: WaveRecord): OrderOverrideState | undefined {
  if (record.orderOverride === undefined) return undefined;
  return {
    ...record.orderOverride,
    at: record.at,
    ...(record.operator === undefined ? {} : { operator: record.operator }),
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** A server's latest record of `step`, if it was ever journaled. */
export function stepOf(state: ServerJournalState, step: StepName): StepTiming | undefined {
  return state.steps.find((timing) => timing.step === step);
}
