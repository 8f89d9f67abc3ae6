import { dirname } from 'node:path';
import { DbwaveError, ErrorCode, errorMessage } from '../../core/errors.js';
import type { JournalEntry } from './journal-record.js';

/**
 * A record could not be made durable (a full disk, an I/O error). The journal still ends on its
 * last whole record. The write-ahead rule makes this safe to stop on: a step whose `started`
 * record failed never began; a step whose outcome failed did run, and a later run probes it. The
 * engine halts the wave on it (no new server starts) and the run exits 1.
 */
export class JournalUnwritableError extends DbwaveError {
  readonly file: string;
  /** What the lost record meant, e.g. `step shutdown of db3 did not start`. */
  readonly consequence: string;

  /**
   * `file` is where the journal lives (a path, or the state store); `remedy` what the operator
   * does about an unwritable one (a full disk by default).
   */
  constructor(file: string, entry: JournalEntry, cause: unknown, remedy?: string) {
    const consequence = consequenceOf(entry);
    // A lost lock or lease is no disk problem: its own message says what happened and who resumes.
    const advice =
      cause instanceof DbwaveError && cause.code === ErrorCode.Locked
        ? `journal not written: ${errorMessage(cause)} (${consequence})`
        : `journal not writable: ${file}: ${errorMessage(cause)}; ${consequence}. ${remedy ?? `Make room in (or repair) ${dirname(file)}, then run the wave again to resume`}`;
    super(ErrorCode.JournalUnwritable, advice, { cause });
    this.file = file;
    this.consequence = consequence;
  }
}

/** Which promise the lost record broke: a step that never started, or an outcome nobody will read. */
function consequenceOf(entry: JournalEntry): string {
  switch (entry.kind) {
    case 'step':
      return entry.event === 'started'
        ? `step ${entry.step} of ${entry.server} did not start`
        : `the outcome of step ${entry.step} on ${entry.server} (${entry.event}) is not recorded`;
    case 'outcome':
      return `the outcome of ${entry.server} (${entry.outcome}) is not recorded`;
    case 'wave':
      return `wave ${entry.wave} ${entry.event} is not recorded`;
    default:
      return `a ${entry.kind} record is not recorded`;
  }
}
