import { formatDuration } from '../core/duration.js';
import type { CanaryStageState } from '../engine/journal/canary-stage-state.js';
import { formatClock } from './report-format.js';
import type { CanaryStageEntry } from './wave-report.js';

/**
 * The report's canary stage, from the journal's stage state and the plan's canaries (before the
 * bake the journal does not name them yet). Pure; `now` is the report's.
 */
export function canaryStageEntry(
  stage: CanaryStageState | undefined,
  planned: readonly string[] | undefined,
  now: number,
): CanaryStageEntry | undefined {
  if (stage === undefined)
    return planned === undefined || planned.length === 0
      ? undefined
      : { canaries: planned, state: 'canaries-first', checkCount: 0 };
  const { decision, endsAt, ...facts } = stage;
  const state =
    decision === undefined
      ? endsAt === undefined
        ? 'canaries-first'
        : 'baking'
      : decision === 'go-on'
        ? 'went-on'
        : 'stopped';
  return {
    ...facts,
    state,
    ...(endsAt === undefined ? {} : { endsAt }),
    ...(state === 'baking' && endsAt !== undefined
      ? { remainingMs: Math.max(0, Date.parse(endsAt) - now) }
      : {}),
  };
}

/** The canary stage in one line: the canaries, the countdown or the decision, the verdict so far. */
export function describeCanaryStage(entry: CanaryStageEntry, timezone = 'UTC'): string {
  const canaries = `Canaries ${entry.canaries.join(', ')}`;
  const soFar =
    entry.verdict === undefined
      ? 'no comparison yet'
      : `verdict so far ${entry.verdict.toUpperCase()} (${entry.checkCount} comparison(s), last at ${formatClock(entry.checkedAt, timezone)})`;
  switch (entry.state) {
    case 'canaries-first':
      return `${canaries}: upgrading first; the rest of the wave waits for their bake`;
    case 'baking':
      return `${canaries}: BAKING, ${formatDuration(entry.remainingMs ?? 0)} left of ${formatDuration(entry.bakeMs ?? 0)} (ends ${formatClock(entry.endsAt, timezone)}); ${soFar}`;
    case 'went-on':
      return `${canaries}: bake passed at ${formatClock(entry.decidedAt, timezone)} (${entry.reason ?? ''}); the rest of the wave went on`;
    case 'stopped':
      return `${canaries}: WAVE STOPPED at ${formatClock(entry.decidedAt, timezone)}: ${entry.reason ?? ''}${
        entry.rollBack === undefined || entry.rollBack.length === 0
          ? ''
          : `; rolled back: ${entry.rollBack.join(', ')}`
      }`;
    default:
      return entry.state satisfies never;
  }
}
