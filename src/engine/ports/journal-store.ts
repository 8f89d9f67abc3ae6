import type { JournalEntry, JournalRecord } from '../journal/journal-record.js';

export interface JournalReadResult {
  readonly records: readonly JournalRecord[];
  /** A last line cut short by a crash mid-write: dropped from `records`, reported here. */
  readonly tornTail?: string;
}

/**
 * Where the journal lives. `append` resolves only once the record is durable (fsynced): the
 * engine performs a side effect only after its `started` record is safely down.
 */
export interface JournalStore {
  append(entry: JournalEntry): Promise<JournalRecord>;
  /**
   * Optional: queues a record that need not be durable before anything the engine does next,
   * to be written with the next `append` (one write, one fsync for both) or by `read` or
   * `close`. For a step's outcome, which the next step's `started` always follows before any
   * side effect: the outcome is on disk before that side effect, as before, at one fsync less
   * per step. Resolves once durable. A crash before then loses it as a crash just before its
   * `append` would have (the step was in flight: its probe reconciles it).
   */
  appendLater?(entry: JournalEntry): Promise<JournalRecord>;
  read(): Promise<JournalReadResult>;
}
