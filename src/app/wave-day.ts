import { DateTime } from 'luxon';
import { UsageError } from '../core/errors.js';
import { waveTiming } from '../engine/wave/wave-timing.js';
import type { PlannedDay, PlannedWave } from '../model/plan.js';

/** A day of a wave as the operator reads it: `2011-09-20 02:00-06:00 America/Phoenix`. */
export function describeDay(day: PlannedDay, timezone: string): string {
  const start = DateTime.fromISO(day.windowStart, { zone: timezone });
  const end = DateTime.fromISO(day.windowEnd, { zone: timezone });
  return `${day.date} ${start.toFormat('HH:mm')}-${end.toFormat('HH:mm')} ${timezone}`;
}

/** The flags that say whether a wave may run outside its days. */
export interface DateFlags {
  readonly ignoreDate?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
}

/**
 * Refuses a wave outside its days' windows, unless --ignore-date; returns the day it runs on
 * (undefined: any day, by the operator's choice).
 */
export function dayToRun(
  wave: PlannedWave,
  flags: DateFlags,
  timezone: string,
  now: number,
): PlannedDay | undefined {
  // A dry run is how a DBA reviews a wave ahead of its day: every server, whatever the date.
  if (flags.ignoreDate === true || flags.dryRun === true) return undefined;
  const timing = waveTiming(wave, now);
  if (timing.state === 'inside') return timing.day;
  const nowText = DateTime.fromMillis(now, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm');
  const why =
    timing.state === 'after'
      ? `its last day was ${describeDay(timing.last, timezone)}`
      : `its next window is ${describeDay(timing.next, timezone)}`;
  throw new UsageError(
    `wave ${wave.index} does not run now (${nowText} ${timezone}): ${why}. Use --ignore-date to run it anyway`,
  );
}

/** How the confirmation question names the time of the run. */
export function describeWhen(day: PlannedDay | undefined, timezone: string): string {
  return day ? describeDay(day, timezone) : 'now (--ignore-date)';
}
