import type { GateVerdict } from './gate-verdict.js';

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
 * the start's offset count: older noise is not this upgrade's). An unreadable log is
 * inconclusive: the seed's lesson is a monitor that missed the errors, so never a pass.
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
  if (matches.length === 0) return { gate: 'error-log', verdict: 'pass', evidence: `${scope}: none matches` };
  const shown = matches.slice(0, SHOWN_LINES).map((line) => shorten(line.trim()));
  const more = matches.length > SHOWN_LINES ? ` (+${matches.length - SHOWN_LINES} more)` : '';
  return {
    gate: 'error-log',
    verdict: 'fail',
    evidence: `${scope}: ${matches.length} match(es)${more}: ${shown.join(' | ')}`,
  };
}

function compile(patterns: readonly string[]): RegExp[] {
  // The campaign schema has already refused patterns that do not compile.
  return patterns.map((pattern) => new RegExp(pattern));
}

function shorten(line: string): string {
  return line.length > SHOWN_LINE_LENGTH ? `${line.slice(0, SHOWN_LINE_LENGTH)}…` : line;
}
