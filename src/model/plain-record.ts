/**
 * A record as a YAML or JSON reader builds it: an ordinary object, no prototype tricks. The fast
 * checks of server records take only these, and leave anything else (arrays, class instances, an
 * own `__proto__` key) to zod.
 */
export type PlainRecord = Readonly<Record<string, unknown>>;

/** Whether `value` is a {@link PlainRecord}. */
export function isPlainRecord(value: unknown): value is PlainRecord {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !Object.hasOwn(value, '__proto__');
}
