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
  read(): Promise<JournalReadResult>;
}
