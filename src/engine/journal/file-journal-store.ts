import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { syncFolder } from '../../core/sync-folder.js';
import type { Clock } from '../ports/clock.js';
import type { JournalFence } from '../ports/journal-fence.js';
import type { JournalReadResult, JournalStore } from '../ports/journal-store.js';
import { JournalCorruptError } from './journal-corrupt-error.js';
import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalRecord,
  parseJournalRecord,
  stampRecord,
} from './journal-record.js';
import { JournalUnwritableError } from './journal-unwritable-error.js';

export const JOURNAL_FILE = 'journal.jsonl';
/** Where a torn last line is kept when the writer repairs the journal: evidence, never replayed. */
export const TORN_FILE = 'journal.torn';

/** Only its owner reads or writes the journal: it names every server, step and error. */
export const JOURNAL_MODE = 0o600;

/** The calls the store makes on its open journal; node's FileHandle has them all. */
export interface JournalFileHandle {
  /** One write(2) at the end of the file (opened to append): it may write fewer bytes than asked. */
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  chmod(mode: number): Promise<void>;
  readFile(options: { encoding: 'utf8' }): Promise<string>;
  close(): Promise<void>;
}

export interface FileJournalStoreOptions {
  /** The campaign's state dir; the journal is `<stateDir>/journal.jsonl`. */
  readonly stateDir: string;
  readonly campaign: string;
  readonly clock: Clock;
  /** Checked before every append: a run that lost the campaign's lock writes nothing more. */
  readonly fence?: JournalFence;
  /** Opens the journal to append (`a+`); tests inject short writes and full disks here. */
  readonly openFile?: (path: string, flags: 'a+', mode: number) => Promise<JournalFileHandle>;
}

/**
 * The journal as append-only JSON lines, each fsynced before `append` resolves.
 *
 * A record is one line, written whole (a short write is followed by another until the line is
 * down), then fsynced. An append that fails (a full disk, an I/O error) truncates the file back
 * to its last whole record and throws JournalUnwritableError, so the next record starts on a
 * fresh line; should even the truncation fail, every later append of this store refuses.
 *
 * A crash mid-write leaves a last line without its newline. Such a line belongs to an append that
 * never resolved, so its side effect never began: reading drops it and reports it, and the next
 * writer moves it to `journal.torn` and truncates it away. Damage anywhere else is a
 * JournalCorruptError. Only the lock holder appends; anyone may read. The file is created 0600
 * (and made so if it was wider).
 */
export class FileJournalStore implements JournalStore {
  readonly file: string;
  private readonly options: FileJournalStoreOptions;
  private handle: JournalFileHandle | undefined;
  /** Bytes of whole records in the file: where a failed append is cut back to. */
  private wholeRecordsLength = 0;
  /** Set when a failed append could not be cut back: the file may end mid-line. */
  private damaged: unknown;
  private nextSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Records handed to `appendLater`, in order: the next write takes them first. */
  private later: LaterRecord[] = [];

  constructor(options: FileJournalStoreOptions) {
    this.options = options;
    this.file = join(options.stateDir, JOURNAL_FILE);
  }

  async read(): Promise<JournalReadResult> {
    // This process's own records first: a reader here must see every record the engine emitted.
    await this.writeLater();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
      throw error;
    }
    return parseJournal(this.file, text);
  }

  /**
   * Numbers, stamps and durably appends one record, after any `appendLater` records before it
   * (one write, one fsync); appends are serialised in call order.
   */
  append(entry: JournalEntry): Promise<JournalRecord> {
    const later = this.takeLater();
    const own: LaterRecord = { entry, at: undefined, settle: () => undefined };
    return this.enqueue(async () => {
      const records = await this.write([...later, own]);
      return records[records.length - 1] as JournalRecord;
    });
  }

  /** Held until the next append, `read` or `close` (see JournalStore.appendLater), stamped now. */
  appendLater(entry: JournalEntry): Promise<JournalRecord> {
    return new Promise((resolve, reject) => {
      this.later.push({
        entry,
        at: this.options.clock.now(),
        settle: (record, error) => (record === undefined ? reject(error) : resolve(record)),
      });
    });
  }

  /** Writes what `appendLater` holds, then closes the file; a later append reopens it. */
  async close(): Promise<void> {
    await this.writeLater();
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Writes the records `appendLater` holds; a failure reaches their own promises. */
  private async writeLater(): Promise<void> {
    const later = this.takeLater();
    if (later.length > 0) await this.enqueue(() => this.write(later)).catch(() => undefined);
  }

  private takeLater(): LaterRecord[] {
    const later = this.later;
    this.later = [];
    return later;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Writes the records as one write and one fsync, and settles each one's promise. A failure
   * fails them all (the file is cut back to its last whole record) and is thrown for the last.
   */
  private async write(batch: readonly LaterRecord[]): Promise<JournalRecord[]> {
    try {
      const records = await this.writeRecords(batch);
      for (const [index, item] of batch.entries()) item.settle(records[index]);
      return records;
    } catch (error) {
      for (const item of batch) item.settle(undefined, error);
      throw error;
    }
  }

  private async writeRecords(batch: readonly LaterRecord[]): Promise<JournalRecord[]> {
    const last = batch.at(-1);
    if (last === undefined) return [];
    const { entry } = last;
    if (this.damaged !== undefined) throw new JournalUnwritableError(this.file, entry, this.damaged);
    try {
      await this.options.fence?.assertHeld();
    } catch (error) {
      throw new JournalUnwritableError(this.file, entry, error);
    }
    let handle: JournalFileHandle;
    try {
      handle = await this.openForAppend();
    } catch (error) {
      if (error instanceof JournalCorruptError) throw error;
      throw new JournalUnwritableError(this.file, entry, error);
    }
    const now = this.options.clock.now();
    const records = batch.map((item, index) =>
      stampRecord(item.entry, {
        v: JOURNAL_VERSION,
        seq: this.nextSeq + index,
        at: new Date(item.at ?? now).toISOString(),
        campaign: this.options.campaign,
      }),
    );
    const lines = Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
    try {
      await writeWhole(handle, lines);
      await handle.datasync();
    } catch (error) {
      await this.cutBackToWholeRecords(handle);
      throw new JournalUnwritableError(this.file, entry, error);
    }
    this.wholeRecordsLength += lines.length;
    this.nextSeq += records.length;
    return records;
  }

  /** Removes what a failed append left, so that the file ends on its last whole record. */
  private async cutBackToWholeRecords(handle: JournalFileHandle): Promise<void> {
    try {
      await handle.truncate(this.wholeRecordsLength);
      await handle.datasync();
    } catch (error) {
      this.damaged = new Error(
        `a failed append could not be cut back (${errorMessage(error)}), so the file may end mid-line; the next run sets that line aside`,
        { cause: error },
      );
    }
  }

  private async openForAppend(): Promise<JournalFileHandle> {
    if (this.handle) return this.handle;
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    const handle = await (this.options.openFile ?? open)(this.file, 'a+', JOURNAL_MODE);
    try {
      // The mode above applies to a new file only; an older, wider journal is made private too.
      await handle.chmod(JOURNAL_MODE);
      const text = await handle.readFile({ encoding: 'utf8' });
      const { records, tornTail } = parseJournal(this.file, text);
      this.wholeRecordsLength = Buffer.byteLength(text, 'utf8');
      if (tornTail !== undefined) {
        await appendFile(join(dirname(this.file), TORN_FILE), `${tornTail}\n`, { mode: JOURNAL_MODE });
        this.wholeRecordsLength -= Buffer.byteLength(tornTail, 'utf8');
        await handle.truncate(this.wholeRecordsLength);
        await handle.datasync();
      }
      this.nextSeq = (records.at(-1)?.seq ?? 0) + 1;
      await syncFolder(this.options.stateDir);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.handle = handle;
    return handle;
  }
}

/** A record waiting to be written: `at` is when it was handed over (undefined: when written). */
interface LaterRecord {
  readonly entry: JournalEntry;
  readonly at: number | undefined;
  readonly settle: (record: JournalRecord | undefined, error?: unknown) => void;
}

/** Writes all of `bytes`: write(2) may stop short (a disk filling up) without failing. */
async function writeWhole(handle: JournalFileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
    if (bytesWritten <= 0)
      throw new Error(`write made no progress (${written} of ${bytes.length} bytes down)`);
    written += bytesWritten;
  }
}

/**
 * Parses journal text: every complete line must be a record (validated against its schema,
 * journal-record.ts), numbered 1, 2, 3...; a last line without its newline is the torn tail.
 */
export function parseJournal(file: string, text: string): JournalReadResult {
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const records: JournalRecord[] = [];
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') throw new JournalCorruptError(file, lineNumber, 'empty line inside the journal');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      throw new JournalCorruptError(file, lineNumber, 'not a JSON record', { cause });
    }
    const version = versionOf(parsed);
    if (version !== undefined && version > JOURNAL_VERSION) {
      throw new JournalCorruptError(file, lineNumber, `written by a newer dbwave (journal v${version})`);
    }
    const record = parseJournalRecord(parsed);
    if ('problem' in record) {
      throw new JournalCorruptError(file, lineNumber, `not a journal record: ${record.problem}`);
    }
    const expected = records.length + 1;
    if (record.seq !== expected) {
      throw new JournalCorruptError(file, lineNumber, `record seq ${record.seq} where ${expected} belongs`);
    }
    records.push(record);
  });
  return last === '' ? { records } : { records, tornTail: last };
}

/** The journal version a line says it was written by, read before its shape is checked. */
function versionOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('v' in value)) return undefined;
  return typeof value.v === 'number' ? value.v : undefined;
}
