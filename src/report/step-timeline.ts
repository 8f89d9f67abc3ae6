import type { StepName, StepRecord } from '../engine/journal/journal-record.js';
import type { StepTiming } from './wave-report.js';

/** A step timing together with the records it was built from, for the detail they carry. */
export interface TimedStep extends StepTiming {
  readonly startRecord?: StepRecord;
  readonly endRecord?: StepRecord;
}

function elapsed(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

function toTiming(step: TimedStep): StepTiming {
  const { startRecord: _start, endRecord: _end, ...timing } = step;
  return timing;
}

/**
 * One server's steps from its step records, in journal order. A `started` is paired with the
 * next outcome of the same step; a `started` followed by another `started` of the same step
 * (dbwave was killed and resumed) is `interrupted`; one left without an outcome is `running`
 * while the server is still in progress, `interrupted` otherwise.
 */
export function buildStepTimeline(records: readonly StepRecord[], serverInProgress: boolean): TimedStep[] {
  const timeline: TimedStep[] = [];
  const open = new Map<StepName, StepRecord>();
  for (const record of records) {
    const pending = open.get(record.step);
    if (record.event === 'started') {
      if (pending !== undefined) {
        timeline.push({
          step: pending.step,
          status: 'interrupted',
          startedAt: pending.at,
          startRecord: pending,
        });
      }
      open.set(record.step, record);
      continue;
    }
    open.delete(record.step);
    const startedAt = pending?.at ?? record.at;
    timeline.push({
      step: record.step,
      status: record.event,
      startedAt,
      endedAt: record.at,
      durationMs: elapsed(startedAt, record.at),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(pending === undefined ? {} : { startRecord: pending }),
      endRecord: record,
    });
  }
  for (const pending of open.values()) {
    timeline.push({
      step: pending.step,
      status: serverInProgress ? 'running' : 'interrupted',
      startedAt: pending.at,
      startRecord: pending,
    });
  }
  return timeline.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/** The timeline without the records behind it: what the report shows. */
export function publicTimeline(steps: readonly TimedStep[]): StepTiming[] {
  return steps.map(toTiming);
}

/** The last attempt at a step (a resumed run may have several). */
export function lastAttempt(steps: readonly TimedStep[], step: StepName): TimedStep | undefined {
  return steps.filter((timing) => timing.step === step).at(-1);
}

/** The first attempt at a step. */
export function firstAttempt(steps: readonly TimedStep[], step: StepName): TimedStep | undefined {
  return steps.find((timing) => timing.step === step);
}
