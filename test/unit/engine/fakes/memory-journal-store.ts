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

  /** Handed to `appendLater` and not written yet: what a killed dbwave loses. */
  private unwritten: { entry: JournalEntry; at: number; written: (record: JournalRecord) => void }[] = [];

  /**
   * Writes what `appendLater` holds, then the entry, one by one: a `beforeAppend` that throws
   * (dbwave died mid-write) leaves the ones before it, as a torn write of the file store would.
   */
  async append(entry: JournalEntry): Promise<JournalRecord> {
    this.writeUnwritten();
    return this.write(entry, this.clock.now());
  }

  appendLater(entry: JournalEntry): Promise<JournalRecord> {
    return new Promise((written) => {
      this.unwritten.push({ entry, at: this.clock.now(), written });
    });
  }

  /** A new dbwave process: whatever the last one held unwritten died with it. */
  forgetUnwritten(): void {
    this.unwritten = [];
  }

  async read(): Promise<JournalReadResult> {
    this.writeUnwritten();
    return { records: [...this.records] };
  }

  private writeUnwritten(): void {
    const unwritten = this.unwritten;
    this.unwritten = [];
    for (const held of unwritten) held.written(this.write(held.entry, held.at));
  }

  private write(entry: JournalEntry, at: number): JournalRecord {
    this.beforeAppend(entry);
    const record = {
      v: JOURNAL_VERSION,
      seq: this.records.length + 1,
      at: new Date(at).toISOString(),
      campaign: this.campaign,
      ...entry,
    } as JournalRecord;
    this.records.push(record);
    return record;
  }
}
