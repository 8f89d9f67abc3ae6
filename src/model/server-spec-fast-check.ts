import { type ServerSpec, serverSchema } from './hardware-class-schema.js';
import { isPlainRecord, type PlainRecord } from './plain-record.js';
import {
  holdsControlCharacter,
  IDENTIFIER_PATTERN,
  isHostnameOrIpv4,
  PORT_RANGE,
  TEMPLATE_VAR_NAME_PATTERN,
} from './schema-primitives.js';

/**
 * `serverSchema`'s verdict on one server record, by hand: zod took most of the time of loading a
 * 100,000-server fleet. It answers only for a record that is plainly valid, and then returns what
 * zod returns (the same keys, in the schema's order, vars as strings); for anything else (a
 * missing or unknown key, a value of another type, an IPv6 host, a non-finite number) it returns
 * `undefined` and the caller asks zod, so that every message stays zod's. A differential test
 * holds the two to the same answers.
 */
export function fastServerSpec(value: unknown): ServerSpec | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { name, host } = value;
  if (!isIdentifier(name) || typeof host !== 'string' || !isHostnameOrIpv4(host)) return undefined;
  if (isAsZodReturnsIt(value)) return value as ServerSpec;
  let known = 0;
  const spec: { -readonly [Key in keyof ServerSpec]: ServerSpec[Key] } = { name, host };
  known += 2;
  // Each optional key in the schema's order: zod writes its output in that order.
  for (const key of OPTIONAL_KEYS) {
    if (!Object.hasOwn(value, key)) continue;
    const checked = OPTIONAL_CHECKS[key](value[key]);
    if (checked === undefined) return undefined;
    (spec as Record<string, unknown>)[key] = checked;
    known += 1;
  }
  // A key the schema does not know is zod's to report (strictObject).
  return Object.keys(value).length === known ? spec : undefined;
}

/**
 * Whether the record (its name and host judged already) is, as it stands, what zod would return:
 * an ordinary object, its keys in the schema's order, every optional value one that zod returns
 * unchanged. Then it is taken as it is: copying it key by key was 100,000 objects to allocate,
 * keep and collect in a 100,000-server fleet, for the same contents.
 */
function isAsZodReturnsIt(value: PlainRecord): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  let position = 2;
  let keys = 0;
  for (const key in value) {
    keys += 1;
    if (keys <= 2) {
      if (key !== SCHEMA_KEYS[keys - 1]) return false;
      continue;
    }
    while (position < SCHEMA_KEYS.length && SCHEMA_KEYS[position] !== key) position += 1;
    if (position === SCHEMA_KEYS.length) return false;
    position += 1;
    const given = value[key];
    if (OPTIONAL_CHECKS[key as OptionalKey](given) !== given) return false;
  }
  return true;
}

type OptionalKey = Exclude<keyof ServerSpec, 'name' | 'host'>;

/** Each optional key's check: the value zod would output, or undefined to ask zod. */
const OPTIONAL_CHECKS: { readonly [Key in OptionalKey]: (value: unknown) => ServerSpec[Key] | undefined } = {
  port: portOf,
  sshPort: portOf,
  sshUser: (value) => (isIdentifier(value) ? value : undefined),
  mdLayout: (value) => (typeof value === 'string' ? value : undefined),
  datacenter: (value) => (typeof value === 'string' ? value : undefined),
  cluster: (value) => (isIdentifier(value) ? value : undefined),
  role: (value) => (value === 'primary' || value === 'replica' ? value : undefined),
  shard: (value) => (isIdentifier(value) ? value : undefined),
  dataDir: (value) => (isTextLine(value) ? value : undefined),
  errorLog: (value) => (isTextLine(value) ? value : undefined),
  tags: (value) => (Array.isArray(value) && value.every(isTextLine) ? value : undefined),
  vars: templateVarsOf,
};

/** Every key in the schema's order: name, host, then the optional ones. */
const SCHEMA_KEYS = Object.keys(serverSchema.shape);

/** The optional keys in the schema's order (an object's keys keep their insertion order). */
const OPTIONAL_KEYS = SCHEMA_KEYS.filter((key): key is OptionalKey => key in OPTIONAL_CHECKS);

function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER_PATTERN.test(value);
}

function isTextLine(value: unknown): value is string {
  return typeof value === 'string' && !holdsControlCharacter(value);
}

function portOf(value: unknown): number | undefined {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= PORT_RANGE.min &&
    value <= PORT_RANGE.max
    ? value
    : undefined;
}

/**
 * `templateVars`: every value a text line, a finite number or a boolean, written as a string. A
 * record of strings only is returned as it is (zod's output would be the same).
 */
function templateVarsOf(value: unknown): Readonly<Record<string, string>> | undefined {
  if (!isPlainRecord(value)) return undefined;
  const vars: Record<string, string> = {};
  let allStrings = true;
  for (const name of Object.keys(value)) {
    const item = (value as PlainRecord)[name];
    if (!TEMPLATE_VAR_NAME_PATTERN.test(name)) return undefined;
    if (isTextLine(item) || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item)))
      vars[name] = String(item);
    else return undefined;
    allStrings &&= typeof item === 'string';
  }
  return allStrings && Object.getPrototypeOf(value) === Object.prototype
    ? (value as Readonly<Record<string, string>>)
    : vars;
}
