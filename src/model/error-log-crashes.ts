import { CRASH_LINE, START_LINE } from './server-flavour.js';

/**
 * How much of the end of a server's error log precheck reads for the crashes before the
 * campaign: a bounded read (years of a quiet server's log fit in it; a noisy log's last weeks).
 */
export const CRASH_HISTORY_MAX_BYTES = 1024 * 1024;

/** The crashes an error log tells of, and since when it tells. */
export interface ErrorLogCrashes {
  /** Crashes: a `got signal` line, or a start that had to run InnoDB crash recovery; one per start. */
  readonly crashes: number;
  /** The time of the text's first stamped line (ISO), undefined when no line carries one. */
  readonly firstLineAt?: string;
}

/**
 * Counts the crashes an error log's text tells of. A crash writes a `got signal` line as the
 * server dies (not on a SIGKILL or an OOM kill) and its next start runs crash recovery, which
 * writes one or two more lines: every line of one crash, up to the next "ready for connections",
 * counts once. Pure; the lines' shapes are model/server-flavour.ts's CRASH_LINE.
 */
export function crashesInErrorLog(text: string): ErrorLogCrashes {
  let crashes = 0;
  let counted = false;
  let firstLineAt: string | undefined;
  for (const line of text.split('\n')) {
    firstLineAt ??= logLineTime(line);
    if (START_LINE.ready.test(line)) {
      counted = false;
      continue;
    }
    if (!counted && (CRASH_LINE.signal.test(line) || CRASH_LINE.recovery.test(line))) {
      crashes++;
      counted = true;
    }
  }
  return firstLineAt === undefined ? { crashes } : { crashes, firstLineAt };
}

/**
 * The time a line is stamped with: `2026-12-02 19:26:56` (MariaDB, MySQL 5.6/5.7),
 * `2026-12-02T19:26:56.123456Z` (MySQL 8), `101220 14:33:02` (MySQL 5.1, MariaDB before 10.1).
 * The server writes its own clock without a zone (except MySQL 8's Z): read as UTC, as the
 * servers of a fleet usually keep it.
 */
function logLineTime(line: string): string | undefined {
  const iso = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(line);
  const old = /^(\d{2})(\d{2})(\d{2}) +(\d{1,2}):(\d{2}):(\d{2})\b/.exec(line);
  const text = iso
    ? `${iso[1]}T${iso[2]}Z`
    : old
      ? `20${old[1]}-${old[2]}-${old[3]}T${old[4]?.padStart(2, '0')}:${old[5]}:${old[6]}Z`
      : undefined;
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
