import { isPlainRecord, type PlainRecord } from './plain-record.js';
import type { PlannedServer } from './plan.js';
import { plannedServerSchema } from './plan-file-schema.js';
import { IDENTIFIER_PATTERN, isCalendarDate } from './schema-primitives.js';

/**
 * The plan file schema's verdict on one planned server (`{ name, class, date }`), by hand: a plan
 * lists every server of the fleet, and zod was most of the time of reading a 100,000-server plan.
 * It answers only for a record that is plainly valid (exactly those three keys, identifiers, a
 * YYYY-MM-DD date as text) with the record zod would return; for anything else it returns
 * `undefined` and the caller asks zod, so that every message stays zod's.
 */
export function fastPlannedServer(value: unknown): PlannedServer | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { name, class: classId, date } = value;
  if (
    typeof name !== 'string' ||
    !IDENTIFIER_PATTERN.test(name) ||
    typeof classId !== 'string' ||
    !IDENTIFIER_PATTERN.test(classId) ||
    typeof date !== 'string' ||
    !isCalendarDate(date) ||
    Object.keys(value).length !== 3
  )
    return undefined;
  // The record itself when it is already what zod returns (an ordinary object, keys in the
  // schema's order): a copy per planned server was 100,000 objects to make, keep and collect.
  if (Object.getPrototypeOf(value) === Object.prototype && isInSchemaOrder(value)) return value;
  return { name, class: classId, date };
}

/** Whether a record whose three values are judged already has its keys in the schema's order. */
function isInSchemaOrder(value: PlainRecord): value is PlainRecord & PlannedServer {
  let position = 0;
  for (const key in value) {
    if (key !== PLANNED_SERVER_KEYS[position]) return false;
    position += 1;
  }
  return true;
}

/** The schema's keys in its order: name, class, date. */
const PLANNED_SERVER_KEYS = Object.keys(plannedServerSchema.shape);
