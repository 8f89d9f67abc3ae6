/**
 * Whether a reported version is the expected one. `SELECT VERSION()` gives
 * `10.11.19-MariaDB-0+deb12u1` and an installed-version command may print `1:10.11.19-0+deb12u1`:
 * the expected version must appear whole, so that 10.11.1 never matches 10.11.19.
 */
export function versionMatches(reported: string, expected: string): boolean {
  return new RegExp(`(?<![0-9.])${escapeRegExp(expected)}(?![0-9]|\\.[0-9])`).test(reported.trim());
}

/** Whether `SELECT VERSION()` reports `expected`: it must start the text, whole. */
export function serverVersionIs(reported: string, expected: string): boolean {
  return new RegExp(`^${escapeRegExp(expected)}(?![0-9]|\\.[0-9])`).test(reported.trim());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
