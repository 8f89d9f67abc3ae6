import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalRecord,
} from '../../../../src/engine/journal/journal-record.js';
import type { Clock } from '../../../../src/engine/ports/clock.js';
import type { JournalReadResult, JournalStore } from '../../../../src/engine/ports/journal-store.js';

/** The journal in memory: what umzug's memoryStorage is to its storage interface. */
export class MemoryJournalStore implements JournalStore {
  readonly records: JournalRecord[];
  /**
   * Called before each append with the entry; throwing simulates dbwave dying before the record
   * is durable, or (JournalUnwritableError) a disk that is full.
   */
  beforeAppend: (entry: JournalEntry) => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    initial: readonly JournalRecord[] = [],
    private readonly campaign = 'test',
  ) {
    this.records = [...initial];
  }

  async append(entry: JournalEntry): Promise<JournalRecord> {
    this.beforeAppend(entry);
    const record = {
      v: JOURNAL_VERSION,
      seq: this.records.length + 1,
      at: new Date(this.clock.now()).toISOString(),
      campaign: this.campaign,
      ...entry,
    } as JournalRecord;
    this.records.push(record);
    return record;
  }

  async read(): Promise<JournalReadResult> {
    return { records: [...this.records] };
  }
}
