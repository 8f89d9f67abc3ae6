import { DateTime } from 'luxon';
import type { HandoffRecord, JournalRecord } from '../engine/journal/journal-record.js';
import type { OwnerPerson } from '../model/owners-schema.js';
import type { DayOwners } from '../planner/day-owners.js';
import { formatClockWithZone } from './report-format.js';

/** Who is in charge of the campaign on a day, and why: the day's owner, or a hand-off that day. */
export interface InCharge {
  /** The day, YYYY-MM-DD in the campaign's time zone. */
  readonly date: string;
  /** Who is in charge now; absent when nobody is named for the day and nobody took it over. */
  readonly name?: string;
  readonly contact?: string;
  /** Who `owners.days` names for the day, when it names anyone. */
  readonly named?: string;
  /** The hand-off of that day that put `name` in charge, when there was one. */
  readonly handoff?: HandoffRecord;
}

/** The hand-offs of a journal, oldest first. */
export function handoffsOf(records: readonly JournalRecord[]): HandoffRecord[] {
  return records.filter((record): record is HandoffRecord => record.kind === 'handoff');
}

/** The day an instant falls on in the campaign's time zone. */
export function localDate(instant: number | string, timezone: string): string {
  const time =
    typeof instant === 'number'
      ? DateTime.fromMillis(instant, { zone: timezone })
      : DateTime.fromISO(instant, { zone: timezone });
  return time.toISODate() ?? '';
}

/**
 * Who is in charge on `date`: the latest hand-off recorded that day wins over the day's named
 * owner (a shift handed across time zones ends with the day); the next day belongs to whoever
 * `owners.days` names for it again.
 */
export function inChargeOn(
  date: string,
  owners: DayOwners,
  people: readonly OwnerPerson[],
  handoffs: readonly HandoffRecord[],
  timezone: string,
): InCharge {
  const named = owners.get(date);
  const handoff = handoffs.findLast((record) => localDate(record.at, timezone) === date);
  const person =
    handoff === undefined
      ? named
      : (people.find((candidate) => candidate.name === handoff.to) ?? { name: handoff.to });
  return {
    date,
    ...(person === undefined ? {} : { name: person.name }),
    ...(person?.contact === undefined ? {} : { contact: person.contact }),
    ...(named === undefined ? {} : { named: named.name }),
    ...(handoff === undefined ? {} : { handoff }),
  };
}

/** A person with how to reach them: `alice (alice@example.com)`. */
export function personLabel(name: string, contact: string | undefined): string {
  return contact === undefined ? name : `${name} (${contact})`;
}

/**
 * A hand-off in one line: `alice handed off to bob at 17:02 PDT (dba@ops-1): "db12 is slow"`
 * (without `alice ` when nobody was in charge).
 */
export function describeHandoff(handoff: HandoffRecord, timezone: string): string {
  const from = handoff.from === undefined ? '' : `${handoff.from} `;
  const note = handoff.note === undefined ? '' : `: "${handoff.note}"`;
  return `${from}handed off to ${handoff.to} at ${formatClockWithZone(handoff.at, timezone)} (${handoff.user}@${handoff.host})${note}`;
}

/** Who is in charge, in one line for status and the checklist. */
export function describeInCharge(inCharge: InCharge, timezone: string): string {
  if (inCharge.name === undefined)
    return `In charge on ${inCharge.date}: nobody named (owners.days names nobody for this day)`;
  const who = personLabel(inCharge.name, inCharge.contact);
  if (inCharge.handoff === undefined) return `In charge on ${inCharge.date}: ${who}`;
  const named = inCharge.named === undefined ? '' : `; named for the day: ${inCharge.named}`;
  return `In charge on ${inCharge.date}: ${who}, since ${describeHandoff(inCharge.handoff, timezone)}${named}`;
}
