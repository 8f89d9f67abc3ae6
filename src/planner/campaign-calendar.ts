import { DateTime } from 'luxon';
import type { InputIssue } from '../core/errors.js';
import { issueAt, type SourceLocator } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { PlannedDay } from '../model/plan.js';

/** A range longer than this is a typo (a wrong year), not a wave. */
const MAX_WAVE_DAYS = 366;

export interface CampaignCalendar {
  /** Per wave, its working days in order: blackout days left out, windows as ISO instants. */
  readonly waves: readonly (readonly PlannedDay[])[];
  readonly issues: readonly InputIssue[];
}

/**
 * Dates every wave of a campaign: `date` or `dates: FIRST..LAST` (both ends included), blackout
 * days skipped, and each day's window turned into instants in the campaign's time zone, so the
 * offset is the one in force on that day (-07:00 in September in Los Angeles, -08:00 in December).
 */
export function campaignCalendar(campaign: Campaign, sources: SourceLocator): CampaignCalendar {
  const issues: InputIssue[] = [];
  const at = (key: readonly (string | number)[], message: string): void => {
    issues.push(issueAt(sources.campaign(key), key, message));
  };
  if (campaign.window.end <= campaign.window.start) {
    at(
      ['window', 'end'],
      `the window ends at ${campaign.window.end}, not after it starts at ${campaign.window.start}`,
    );
  }
  const blackout = new Set(campaign.blackout);
  const waves: PlannedDay[][] = [];
  let previous: { readonly lastDay: string; readonly wave: number } | undefined;

  campaign.waves.forEach((spec, index) => {
    const dates = 'date' in spec ? [spec.date] : expandRange(spec.dates, ['waves', index, 'dates'], at);
    if (dates === undefined) {
      waves.push([]);
      return;
    }
    const working = dates.filter((date) => !blackout.has(date));
    if (working.length === 0) {
      const key = ['waves', index, 'date' in spec ? 'date' : 'dates'];
      at(
        key,
        dates.length === 1 ? `${dates[0]} is a blackout day` : 'every day of the range is a blackout day',
      );
    }
    const first = dates[0];
    if (first !== undefined && previous !== undefined && first <= previous.lastDay) {
      at(
        ['waves', index],
        `wave ${index + 1} starts on ${first}, not after wave ${previous.wave} ends on ${previous.lastDay}`,
      );
    }
    const last = dates.at(-1);
    if (last !== undefined) previous = { lastDay: last, wave: index + 1 };
    waves.push(working.map((date) => plannedDay(date, campaign)));
  });
  return { waves, issues };
}

/** The window of one local date as ISO instants with that day's UTC offset. */
export function plannedDay(date: string, campaign: Pick<Campaign, 'timezone' | 'window'>): PlannedDay {
  return {
    date,
    windowStart: localInstant(date, campaign.window.start, campaign.timezone),
    windowEnd: localInstant(date, campaign.window.end, campaign.timezone),
  };
}

function localInstant(date: string, time: string, zone: string): string {
  // A time inside a spring-forward gap does not exist; luxon moves it forward by the gap.
  const instant = DateTime.fromISO(`${date}T${time}`, { zone });
  return instant.toISO({ suppressMilliseconds: true }) ?? `${date}T${time}`;
}

/** The days of `FIRST..LAST`, both ends included; undefined (and a message at `key`) when it is no range. */
export function expandRange(
  text: string,
  key: readonly (string | number)[],
  at: (key: readonly (string | number)[], message: string) => void,
): string[] | undefined {
  const [firstText = '', lastText = ''] = text.split('..').map((part) => part.trim());
  const first = parseDate(firstText);
  const last = parseDate(lastText);
  if (first === undefined || last === undefined) {
    const bad = first === undefined ? firstText : lastText;
    at(key, `"${bad}" is not a date (YYYY-MM-DD) in the range ${text.trim()}`);
    return undefined;
  }
  if (last < first) {
    at(key, `the range ${text.trim()} ends before it starts`);
    return undefined;
  }
  const length = Math.round(last.diff(first, 'days').days) + 1;
  if (length > MAX_WAVE_DAYS) {
    at(key, `the range ${text.trim()} spans ${length} days; a wave spans at most ${MAX_WAVE_DAYS}`);
    return undefined;
  }
  return Array.from({ length }, (_, offset) => first.plus({ days: offset }).toISODate() ?? '');
}

function parseDate(text: string): DateTime | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = DateTime.fromISO(text, { zone: 'UTC' });
  return date.isValid ? date : undefined;
}
