import { z } from 'zod';
import type { Plan } from '../planner/plan.js';
import { identifier, isoDate, timezone } from './schema-primitives.js';

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
  date: isoDate,
  windowStart: isoInstant,
  windowEnd: isoInstant,
  /** Informational, recomputed by `dbwave show`; any content is accepted. */
  capacity: z.unknown().optional(),
});

const plannedServerSchema = z.strictObject({
  name: identifier,
  class: identifier,
  date: isoDate,
});

const plannedWaveSchema = z.strictObject({
  index: z.number().int().positive(),
  name: z.string().optional(),
  days: z.array(plannedDaySchema).min(1, 'a wave needs at least one day'),
  servers: z.array(plannedServerSchema),
});

export const planFileSchema = z.strictObject({
  campaign: identifier,
  timezone,
  /** The campaign file, relative to the plan file. */
  campaignFile: z.string().min(1),
  generatedBy: z.string().optional(),
  waves: z.array(plannedWaveSchema).min(1, 'a plan needs at least one wave'),
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
