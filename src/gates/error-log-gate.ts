import { serverVersionIs } from '../model/version-match.js';
import type { GateVerdict } from './gate-verdict.js';
import { type ServerStart, serverStarts } from './server-start-line.js';

/** The error log's lines written since this start, as a probe read them. */
export type ErrorLogExcerpt =
  | {
      readonly readable: true;
      readonly file: string;
      /** Byte offset the lines start at: the log's size just before this start. */
      readonly fromOffset: number;
      readonly lines: readonly string[];
      /** The log grew past what the probe reads at once: only the first part was judged. */
      readonly truncated?: boolean;
      /** The log was shorter than the offset (rotated or truncated): read from its start. */
      readonly rotated?: boolean;
    }
  | { readonly readable: false; readonly file?: string; readonly error: string };

export interface ErrorLogRules {
  /** Regular expressions that make a line a failure (campaign gates.errorLogPatterns). */
  readonly patterns: readonly string[];
  /** Lines matching one of these are never failures (campaign gates.errorLogIgnore). */
  readonly ignore: readonly string[];
  /**
   * The start the lines must announce (server-start-line.ts): the version mysqld must say it is
   * ready as, and the verdict when the log is silent about it (campaign gates.silentErrorLog).
   * Without it only the failure patterns are judged.
   */
  readonly expectedStart?: {
    readonly version: string;
    readonly whenSilent: 'inconclusive' | 'fail';
  };
}

/** Lines shown in the evidence, and how much of each: enough to act on, not a log dump. */
const SHOWN_LINES = 3;
const SHOWN_LINE_LENGTH = 200;

/** The lines that match a failure pattern and no ignore pattern. */
export function matchingErrorLines(lines: readonly string[], rules: ErrorLogRules): string[] {
  const failures = compile(rules.patterns);
  const ignored = compile(rules.ignore);
  return lines.filter(
    (line) =>
      failures.some((pattern) => pattern.test(line)) && !ignored.some((pattern) => pattern.test(line)),
  );
}

/**
 * The error log holds no `[ERROR]`, assertion or crash line since this start (only lines after
 * the start's offset count: older noise is not this upgrade's), and announces this start. An
 * unreadable log is inconclusive, and a silent one (no line at all since the start, or no
 * "ready for connections" of the expected version) is inconclusive or fails as the campaign
 * says: the seed's lesson is a monitor that missed the errors, so a log that shows nothing
 * (the server logs elsewhere, the path is stale) is never a pass.
 */
export function errorLogGate(excerpt: ErrorLogExcerpt, rules: ErrorLogRules): GateVerdict {
  if (!excerpt.readable) {
    const where = excerpt.file === undefined ? 'the error log' : excerpt.file;
    return {
      gate: 'error-log',
      verdict: 'inconclusive',
      evidence: `could not read ${where}: ${excerpt.error}`,
    };
  }
  const matches = matchingErrorLines(excerpt.lines, rules);
  const scope =
    `${excerpt.lines.length} line(s) of ${excerpt.file} since byte ${excerpt.rotated ? '0 (rotated)' : excerpt.fromOffset}` +
    (excerpt.truncated ? ', truncated' : '');
  if (matches.length === 0) {
    const expected = rules.expectedStart;
    if (expected === undefined)
      return { gate: 'error-log', verdict: 'pass', evidence: `${scope}: none matches` };
    const starts = serverStarts(excerpt.lines);
    const start = starts.find((candidate) => serverVersionIs(candidate.version, expected.version));
    if (start !== undefined)
      return {
        gate: 'error-log',
        verdict: 'pass',
        evidence: `${scope}: none matches; ready for connections as ${start.version}`,
      };
    return {
      gate: 'error-log',
      verdict: expected.whenSilent,
      evidence: silence(excerpt, scope, expected.version, starts),
    };
  }
  const shown = matches.slice(0, SHOWN_LINES).map((line) => shorten(line.trim()));
  const more = matches.length > SHOWN_LINES ? ` (+${matches.length - SHOWN_LINES} more)` : '';
  return {
    gate: 'error-log',
    verdict: 'fail',
    evidence: `${scope}: ${matches.length} match(es)${more}: ${shown.join(' | ')}`,
  };
}

/** What a silent log did not say, and what it said instead. */
function silence(
  excerpt: ErrorLogExcerpt & { readonly readable: true },
  scope: string,
  version: string,
  starts: readonly ServerStart[],
): string {
  if (excerpt.lines.length === 0)
    return `the log is silent: no line in ${excerpt.file} since this start (byte ${excerpt.fromOffset}), no "ready for connections" of ${version}; is it the file the server writes to?`;
  const others =
    starts.length === 0 ? '' : `; it announces ${starts.map((start) => start.version).join(', ')} instead`;
  return `the log is silent about this start: ${scope}, none says "ready for connections" as ${version}${others}`;
}

function compile(patterns: readonly string[]): RegExp[] {
  // The campaign schema has already refused patterns that do not compile.
  return patterns.map((pattern) => new RegExp(pattern));
}

function shorten(line: string): string {
  return line.length > SHOWN_LINE_LENGTH ? `${line.slice(0, SHOWN_LINE_LENGTH)}…` : line;
}
