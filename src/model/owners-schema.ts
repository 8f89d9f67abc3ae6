import { z } from 'zod';
import { dateRange, identifier, isoDate, textLine } from './schema-primitives.js';

/**
 * `owners:` in a campaign: the people who may be in charge, each named once with how to reach
 * them, and which of them is in charge of which days. A postmortem's lesson ("a manager in charge
 * for every day"): whoever reads the checklist or a status at 3 a.m. sees one name to call.
 * Whether every day's name is one of the people, days overlap, or fall outside the campaign is
 * checked when the campaign loads (planner/owner-issues.ts): it needs the waves' calendar.
 */

const personSchema = z.strictObject({
  name: identifier.describe(
    'How the person is named in days, in dbwave handoff --to NAME and in broadcasts, e.g. alice or j.doe.',
  ),
  contact: textLine
    .min(1)
    .optional()
    .describe(
      'How to reach them, shown beside their name, e.g. "alice@example.com, +1 602 555 0100". Optional.',
    ),
});
export type OwnerPerson = z.output<typeof personSchema>;

const ownerName = identifier.describe('Who is in charge: one of owners.people.');

/** One person in charge of a day, or of a range of days. */
const ownerDaySchema = z.union([
  z.strictObject({
    date: isoDate.describe('The day, YYYY-MM-DD in the campaign time zone (or use dates for a range).'),
    name: ownerName,
  }),
  z.strictObject({
    dates: dateRange.describe('The days as FIRST..LAST, e.g. 2011-09-27..2011-09-29: both ends included.'),
    name: ownerName,
  }),
]);
export type OwnerDay = z.output<typeof ownerDaySchema>;

export const ownersSchema = z.strictObject({
  people: z
    .array(personSchema)
    .min(1, 'name at least one person')
    .superRefine((people, context) => {
      const seen = new Set<string>();
      people.forEach((person, index) => {
        if (seen.has(person.name))
          context.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `${person.name} is listed twice`,
          });
        seen.add(person.name);
      });
    })
    .describe('The people who may be in charge, each {name, contact}.'),
  days: z
    .array(ownerDaySchema)
    .default([])
    .describe(
      'Who is in charge of which days, each {date | dates: FIRST..LAST, name}: no day twice, every day inside the campaign (its first wave day to its last).',
    ),
});
export type Owners = z.output<typeof ownersSchema>;
