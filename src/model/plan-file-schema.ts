import { z } from 'zod';
import type { Plan } from './plan.js';
import { identifier, isoDate, textLine, timezone } from './schema-primitives.js';

/**
 * The plan file (`waves/<campaign>.plan.yaml`) as `dbwave plan` writes it and a person may edit
 * it. Strict where a typo would silently change what runs (a server's keys), open where dbwave
 * only informs (a day's `capacity`).
 */

const isoInstant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)) && /[+-]\d{2}:\d{2}$|Z$/.test(text), {
    message: 'must be an ISO instant with its UTC offset, e.g. 2011-09-20T09:00:00-07:00',
  });

const plannedDaySchema = z.strictObject({
  date: isoDate.describe('The day, YYYY-MM-DD.'),
  windowStart: isoInstant.describe(
    "Start of the day's maintenance window, an ISO instant with its UTC offset, e.g. 2011-09-20T09:00:00-07:00.",
  ),
  windowEnd: isoInstant.describe("End of the day's maintenance window, an ISO instant with its UTC offset."),
  capacity: z
    .unknown()
    .optional()
    .describe('Informational capacity estimate, recomputed by dbwave show; any content is accepted.'),
});

export const plannedServerSchema = z.strictObject({
  name: identifier.describe('The server, as named in its hardware-class file.'),
  class: identifier.describe("The server's hardware class."),
  date: isoDate.describe("The day the server is upgraded, one of its wave's days."),
});

const plannedWaveSchema = z.strictObject({
  index: z.number().int().positive().describe("The wave's number, from 1."),
  name: textLine.optional().describe("The wave's name from the campaign, if it has one."),
  days: z
    .array(plannedDaySchema)
    .min(1, 'a wave needs at least one day')
    .describe("The wave's days, each with its window."),
  servers: z.array(plannedServerSchema).describe("The wave's servers, in execution order."),
});

export const planFileSchema = z.strictObject({
  campaign: identifier.describe("The campaign's name."),
  timezone: timezone.describe("The campaign's IANA time zone, e.g. America/Los_Angeles."),
  campaignFile: z.string().min(1).describe('The campaign file, relative to the plan file.'),
  generatedBy: z.string().optional().describe('What wrote the plan, e.g. dbwave plan. Optional.'),
  waves: z
    .array(plannedWaveSchema)
    .min(1, 'a plan needs at least one wave')
    .describe('The waves in order, each with its days and its servers.'),
});

/**
 * The validated file as a {@link Plan}, without the informational capacity (stale once a person
 * moves servers). Typed without a cast, so the schema and the type cannot drift apart.
 */
export function planFromFile(value: z.output<typeof planFileSchema>): Plan {
  return {
    ...value,
    waves: value.waves.map((wave) => ({
      ...wave,
      days: wave.days.map(({ date, windowStart, windowEnd }) => ({ date, windowStart, windowEnd })),
    })),
  };
}
