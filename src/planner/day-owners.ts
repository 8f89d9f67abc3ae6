import type { InputIssue } from '../core/errors.js';
import { issueAt, type KeyPath, type SourceLocator } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { OwnerDay, OwnerPerson, Owners } from '../model/owners-schema.js';
import { campaignCalendar, expandRange } from './campaign-calendar.js';

/** Who is in charge of each named day (YYYY-MM-DD, the campaign's time zone). */
export type DayOwners = ReadonlyMap<string, OwnerPerson>;

const NOBODY: DayOwners = new Map();

/** The days an entry of `owners.days` names; undefined (with a message) when its range is not one. */
function daysOf(
  entry: OwnerDay,
  key: KeyPath,
  at: (key: KeyPath, message: string) => void,
): readonly string[] | undefined {
  return 'date' in entry ? [entry.date] : expandRange(entry.dates, [...key, 'dates'], at);
}

/**
 * Every day's owner, from `owners:` (a campaign that loaded is valid: see {@link ownerIssues}).
 * Pure and cheap: called by whatever shows a day's owner, so the days are expanded in one place.
 */
export function dayOwners(owners: Owners | undefined): DayOwners {
  if (owners === undefined) return NOBODY;
  const people = new Map(owners.people.map((person) => [person.name, person]));
  const byDay = new Map<string, OwnerPerson>();
  owners.days.forEach((entry, index) => {
    const person = people.get(entry.name);
    if (person === undefined) return;
    for (const day of daysOf(entry, ['owners', 'days', index], () => undefined) ?? []) byDay.set(day, person);
  });
  return byDay;
}

/**
 * What is wrong with `owners:` beyond its shape: a day naming someone not among the people, a day
 * named twice, a day before the campaign's first wave day or after its last. One issue per
 * problem, at its key and line.
 */
export function ownerIssues(campaign: Campaign, sources: SourceLocator): InputIssue[] {
  const owners = campaign.owners;
  if (owners === undefined) return [];
  const issues: InputIssue[] = [];
  const at = (key: KeyPath, message: string): void => {
    issues.push(issueAt(sources.campaign(key), key, message));
  };
  const names = owners.people.map((person) => person.name);
  const calendar = campaignCalendar(campaign, sources);
  const campaignDays = calendar.waves.flat().map((day) => day.date);
  const first = campaignDays[0];
  const last = campaignDays.at(-1);
  const claimed = new Map<string, number>();
  owners.days.forEach((entry, index) => {
    const key = ['owners', 'days', index];
    if (!names.includes(entry.name)) {
      at([...key, 'name'], `${entry.name} is not one of owners.people (${names.join(', ')})`);
    }
    const days = daysOf(entry, key, at);
    if (days === undefined) return;
    const datesKey = [...key, 'date' in entry ? 'date' : 'dates'];
    const outside = days.filter(
      (day) => first === undefined || last === undefined || day < first || day > last,
    );
    if (outside.length > 0 && calendar.issues.length === 0) {
      at(
        datesKey,
        `${outside[0]}${outside.length > 1 ? ` (and ${outside.length - 1} more)` : ''} is outside the campaign, which runs ${first}..${last}`,
      );
    }
    const overlap = days.find((day) => claimed.has(day));
    if (overlap !== undefined) {
      at(
        datesKey,
        `${overlap} already has an owner (owners.days.${claimed.get(overlap)}): one person per day`,
      );
    }
    for (const day of days) if (!claimed.has(day)) claimed.set(day, index);
  });
  return issues;
}
