import type {
  JournalRecord,
  StepName,
  StepRecord,
  StepRecordFor,
} from '../../src/engine/journal/journal-record.js';
import {
  closesWindow,
  isRollbackStep,
  opensWindow,
  runsInsideWindow,
  STEPS,
} from '../../src/model/step-facts.js';

/**
 * Timings read back from a `dbwave run` journal: the 503 window of each server, the steps inside
 * it, and a wave's wall time. Pure: the bench hands it the parsed records.
 */

/** The steps of the first window, from its opening to its closing, in order: where a window's time goes. */
export const WINDOW_STEPS: readonly StepName[] = STEPS.filter(
  (step) => !isRollbackStep(step) && (opensWindow(step) || runsInsideWindow(step) || closesWindow(step)),
);

export interface ServerTimings {
  readonly server: string;
  /** window-open `started` -> window-close `succeeded`, ms. */
  readonly windowMs: number;
  /** window-open `started`, epoch ms. */
  readonly windowOpenedAt: number;
  /** shutdown `started` and `succeeded`, epoch ms (the clean exit noticed). */
  readonly shutdownStartedAt?: number;
  readonly shutdownSucceededAt?: number;
  /** Each window step's started -> outcome, ms, and the gaps between steps ("between"). */
  readonly steps: Readonly<Record<string, number>>;
  /** What the shutdown's first progress record saw while the server still answered. */
  readonly dirtyPagesAtShutdown?: number;
  /** The pre-flush step's detail: the dirty pages it ended at and whether it reached its target. */
  readonly preflush?: { readonly dirtyPages?: number; readonly endedBy?: string; readonly ms: number };
}

function stepRecords(records: readonly JournalRecord[], server: string): StepRecord[] {
  return records.filter((record): record is StepRecord => record.kind === 'step' && record.server === server);
}

function firstAt(
  records: readonly StepRecord[],
  step: StepName,
  events: readonly string[],
): number | undefined {
  const found = records.find((record) => record.step === step && events.includes(record.event));
  return found === undefined ? undefined : Date.parse(found.at);
}

/** One server's window and step timings; undefined when its window never opened and closed. */
export function serverTimings(records: readonly JournalRecord[], server: string): ServerTimings | undefined {
  const steps = stepRecords(records, server);
  const opened = firstAt(steps, 'window-open', ['started']);
  const closed = firstAt(steps, 'window-close', ['succeeded']);
  if (opened === undefined || closed === undefined) return undefined;
  const durations: Record<string, number> = {};
  let previousEnd: number | undefined;
  let between = 0;
  for (const step of WINDOW_STEPS) {
    const started = firstAt(steps, step, ['started']);
    const ended = firstAt(steps, step, ['succeeded', 'failed', 'skipped']);
    if (started === undefined || ended === undefined) continue;
    durations[step] = ended - started;
    if (previousEnd !== undefined) between += Math.max(0, started - previousEnd);
    previousEnd = ended;
  }
  durations.between = between;
  const progress = records.find(
    (record) => record.kind === 'progress' && record.server === server && record.step === 'shutdown',
  );
  const preflushRecord = steps.find(
    (record): record is StepRecordFor<'preflush'> =>
      record.step === 'preflush' && record.event === 'succeeded',
  );
  const preflushStarted = firstAt(steps, 'preflush', ['started']);
  const shutdownStartedAt = firstAt(steps, 'shutdown', ['started']);
  const shutdownSucceededAt = firstAt(steps, 'shutdown', ['succeeded']);
  return {
    server,
    windowMs: closed - opened,
    windowOpenedAt: opened,
    ...(shutdownStartedAt === undefined ? {} : { shutdownStartedAt }),
    ...(shutdownSucceededAt === undefined ? {} : { shutdownSucceededAt }),
    steps: durations,
    ...(progress?.kind === 'progress' && progress.dirtyPages !== undefined
      ? { dirtyPagesAtShutdown: progress.dirtyPages }
      : {}),
    ...(preflushRecord && preflushStarted !== undefined
      ? {
          preflush: {
            ms: Date.parse(preflushRecord.at) - preflushStarted,
            ...(preflushRecord.detail?.dirtyPages === undefined
              ? {}
              : { dirtyPages: preflushRecord.detail.dirtyPages }),
            ...(preflushRecord.detail?.endedBy === undefined
              ? {}
              : { endedBy: preflushRecord.detail.endedBy }),
          },
        }
      : {}),
  };
}

/** The wave's `started` -> `finished`/`halted`, ms, and each server's precheck `started` -> outcome. */
export function waveTimings(
  records: readonly JournalRecord[],
  wave: number,
): { readonly wallMs: number; readonly perServerMs: Readonly<Record<string, number>> } | undefined {
  const waveRecords = records.filter((record) => record.kind === 'wave' && record.wave === wave);
  const started = waveRecords.find((record) => record.kind === 'wave' && record.event === 'started');
  const ended = waveRecords.find(
    (record) => record.kind === 'wave' && (record.event === 'finished' || record.event === 'halted'),
  );
  if (!started || !ended) return undefined;
  const perServerMs: Record<string, number> = {};
  for (const record of records) {
    if (record.kind !== 'outcome' || record.wave !== wave) continue;
    const first = records.find(
      (candidate) =>
        candidate.kind === 'step' && candidate.server === record.server && candidate.wave === wave,
    );
    if (first) perServerMs[record.server] = Date.parse(record.at) - Date.parse(first.at);
  }
  return { wallMs: Date.parse(ended.at) - Date.parse(started.at), perServerMs };
}

/** Every server's outcome in the journal, by name. */
export function outcomes(records: readonly JournalRecord[]): ReadonlyMap<string, string> {
  const result = new Map<string, string>();
  for (const record of records) if (record.kind === 'outcome') result.set(record.server, record.outcome);
  return result;
}
