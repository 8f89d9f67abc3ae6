import type { ServerOutcome } from '../journal/journal-record.js';

/** Outcomes that spend a wave's failure budget: every server that ended not upgraded. */
export const FAILURE_OUTCOMES: readonly ServerOutcome[] = [
  'PrecheckFailed',
  'RolledBack',
  'NeedsPerson',
  'NeedsUserMigration',
];

export function isFailureOutcome(outcome: ServerOutcome): boolean {
  return FAILURE_OUTCOMES.includes(outcome);
}

/**
 * How many failures a wave of `waveSize` servers may absorb: a count as written, or "P%" of the
 * wave rounded down.
 */
export function allowedFailures(budget: number | string, waveSize: number): number {
  if (typeof budget === 'number') return budget;
  const percent = Number.parseFloat(budget);
  return Number.isFinite(percent) ? Math.floor((waveSize * percent) / 100) : 0;
}

/** The budget is exceeded (not merely reached) by one failure more than it allows. */
export function failureBudgetExceeded(failures: number, budget: number | string, waveSize: number): boolean {
  return failures > allowedFailures(budget, waveSize);
}
