import { DateTime } from 'luxon';
import type { Campaign } from '../model/campaign-schema.js';
import type { Plan } from '../model/plan.js';

/**
 * What a DBA should know about a plan's dates that is not an error: a day whose window falls in
 * a daylight-saving gap (02:10-02:50 on a spring-forward night does not exist, so the window
 * runs an hour later by the clock), and a plan whose every day is already past. `today` is the
 * local date in the campaign's zone, YYYY-MM-DD.
 */
export function calendarWarnings(
  plan: Plan,
  campaign: Pick<Campaign, 'timezone' | 'window'>,
  today: string,
): string[] {
  const warnings: string[] = [];
  const wanted = `${campaign.window.start}-${campaign.window.end}`;
  let lastDay: string | undefined;
  for (const wave of plan.waves) {
    for (const day of wave.days) {
      if (lastDay === undefined || day.date > lastDay) lastDay = day.date;
      const start = DateTime.fromISO(day.windowStart, { zone: campaign.timezone });
      const end = DateTime.fromISO(day.windowEnd, { zone: campaign.timezone });
      if (!start.isValid || !end.isValid || start.toISODate() !== day.date) continue;
      const runs = `${start.toFormat('HH:mm')}-${end.toFormat('HH:mm')}`;
      if (runs !== wanted) {
        warnings.push(
          `wave ${wave.index}, ${day.date}: the window ${wanted} falls in the daylight-saving gap of ${campaign.timezone} (those local times do not exist that night): it runs ${runs} by the local clock`,
        );
      }
    }
  }
  if (lastDay !== undefined && lastDay < today) {
    warnings.push(
      `every day of this plan is in the past (its last is ${lastDay}, today is ${today} in ${campaign.timezone}): check the years; run refuses a wave outside its day unless --ignore-date`,
    );
  }
  return warnings;
}

/** Today's date in a time zone, for {@link calendarWarnings}. */
export function localToday(nowMs: number, timezone: string): string {
  return DateTime.fromMillis(nowMs, { zone: timezone }).toISODate() ?? '';
}
