import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../core/duration.js';

/**
 * Building blocks shared by the class and campaign schemas. Values people write are checked
 * here once, with messages that say what a good value looks like.
 */

/** `10m`, `90s`, `1h`: parsed to milliseconds. */
export const duration = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? undefined
        : 'must be a duration such as 90s, 10m or 1h (a bare number has no unit)',
  })
  .regex(DURATION_PATTERN, 'must be a duration such as 90s, 10m or 1h')
  .transform((text) => parseDuration(text) ?? 0)
  .meta({ description: 'A duration such as 250ms, 90s, 10m, 1.5h or 2d.' });

/**
 * Calendar dates already judged: a plan names the same few dozen days for every one of its
 * servers, and asking luxon each time was most of the cost of reading a 100,000-server plan.
 * Bounded, so that a file of many distinct dates costs no more than it did without it.
 */
const judgedDates = new Map<string, boolean>();
const JUDGED_DATES_LIMIT = 4096;

/** Whether `text` is a calendar date written YYYY-MM-DD (what {@link isoDate} accepts once trimmed). */
export function isCalendarDate(text: string): boolean {
  const known = judgedDates.get(text);
  if (known !== undefined) return known;
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
  if (judgedDates.size >= JUDGED_DATES_LIMIT) judgedDates.clear();
  judgedDates.set(text, valid);
  return valid;
}

/**
 * A calendar date, quoted or not. YAML 1.1 parsers turn an unquoted 2011-09-20 into a timestamp,
 * YAML 1.2 keeps it a string: both are accepted.
 */
export const isoDate = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : value.trim();
    if (!isCalendarDate(text)) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a date (YYYY-MM-DD)` });
      return z.NEVER;
    }
    return text;
  })
  .meta({ description: 'A calendar date, YYYY-MM-DD.', type: 'string', format: 'date' });

/** Local wall-clock time of day, `HH:MM`. */
export const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM (00:00 to 23:59)');

export const timezone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'is not a known IANA time zone' })
  .meta({ description: 'An IANA time zone such as America/Los_Angeles or UTC.' });

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Built once: a schema per server checked was a fifth of the cost of validating a large fleet. */
const IPV6 = z.ipv6();

/**
 * An IPv4 address or a hostname: the hosts {@link host} accepts without asking zod's IPv6 check,
 * which is all a fast check of a server record needs to know (it leaves the rest to zod).
 */
export function isHostnameOrIpv4(value: string): boolean {
  return IPV4.test(value) || (HOSTNAME.test(value) && !/^[\d.]+$/.test(value));
}

/** A hostname or an IP address: nothing that could carry shell syntax. */
export const host = z.string().refine((value) => isHostnameOrIpv4(value) || IPV6.safeParse(value).success, {
  message: 'is not a hostname or an IP address',
});

export const PORT_RANGE = { min: 1, max: 65535 } as const;

export const port = z.number().int().min(PORT_RANGE.min).max(PORT_RANGE.max);

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether `text` holds a C0 or C1 control character or DEL (other than those in `allowed`): a
 * terminal acts on them (ESC starts an escape sequence, BEL rings, CR rewrites the line).
 */
export function holdsControlCharacter(text: string, allowed = ''): boolean {
  // One regular expression for the common case: a 100,000-server fleet checks a million strings.
  if (allowed === '') return CONTROL_CHARACTER.test(text);
  for (const character of text) {
    const code = character.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (control && !allowed.includes(character)) return true;
  }
  return false;
}

/**
 * One line of text for people (a name, a description, a label), printed as is by `show`, the
 * checklist and reports: a control character in it would reach the terminal raw, so none is taken.
 */
export const textLine = z.string().refine((text) => !holdsControlCharacter(text), {
  message: 'must not hold control characters (escape sequences, line breaks, tabs)',
});

/** Text that may span lines (a command template, SQL): newline and tab, but no other control character. */
export const multilineText = z.string().refine((text) => !holdsControlCharacter(text, '\n\t'), {
  message: 'must not hold control characters other than line breaks and tabs (no escape sequences)',
});

/** What an {@link identifier} looks like. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Names that end up in file names, metrics labels and command templates. */
export const identifier = z
  .string()
  .regex(
    IDENTIFIER_PATTERN,
    'may hold only letters, digits, dot, dash and underscore, starting with a letter or digit',
  );

/** What the name of a template variable looks like. */
export const TEMPLATE_VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Extra named values a command template can use as `{{vars.NAME}}`. */
export const templateVars = z.record(
  z.string().regex(TEMPLATE_VAR_NAME_PATTERN, 'variable names are letters, digits and underscore'),
  z.union([textLine, z.number(), z.boolean()]).transform(String),
);

/** `N` servers, `"P%"` of the fleet, or `rest`. */
export const waveSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?%$/, 'must be a count, a percentage such as "25%", or rest'),
  z.literal('rest'),
]);

/** A count, or a percentage of the wave (`"10%"`). */
export const countOrPercent = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+(\.\d+)?%$/, 'must be a count or a percentage such as "10%"'),
]);

/** A range of days `FIRST..LAST`, both ends included: its dates are checked when it is expanded. */
export const dateRange = z
  .string()
  .regex(/^\s*\S+\s*\.\.\s*\S+\s*$/, 'must be a range FIRST..LAST, e.g. 2011-09-27..2011-09-29');
