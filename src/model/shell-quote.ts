/**
 * Quotes one value for a POSIX shell (`sh -c`): the result is a single word whose value is
 * exactly `value`, whatever it holds (quotes, `$()`, backticks, newlines, globs, unicode).
 *
 * Single quotes stop every expansion; the only character they cannot hold is `'` itself,
 * which is written as `'\''` (close, escaped quote, reopen). The empty string becomes `''`
 * so that it still counts as an argument.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    // No shell argument can carry NUL: refusing beats silently truncating a path.
    throw new TypeError('a shell argument cannot contain a NUL character');
  }
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
