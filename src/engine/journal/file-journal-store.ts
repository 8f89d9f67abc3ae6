import { appendFile, type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../ports/clock.js';
import type { JournalReadResult, JournalStore } from '../ports/journal-store.js';
import { JournalCorruptError } from './journal-corrupt-error.js';
import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalRecord,
  parseJournalRecord,
  stampRecord,
} from './journal-record.js';

export const JOURNAL_FILE = 'journal.jsonl';
/** Where a torn last line is kept when the writer repairs the journal: evidence, never replayed. */
export const TORN_FILE = 'journal.torn';

export interface FileJournalStoreOptions {
  /** The campaign's state dir; the journal is `<stateDir>/journal.jsonl`. */
  readonly stateDir: string;
  readonly campaign: string;
  readonly clock: Clock;
}

/**
 * The journal as append-only JSON lines, each fsynced before `append` resolves.
 *
 * A record is written with one write call; a crash mid-write leaves a last line without its
 * newline. Such a line belongs to an append that never resolved, so its side effect never
 * began: reading drops it and reports it, and the next writer moves it to `journal.torn` and
 * truncates it away, so that every later record starts on a fresh line. Damage anywhere else is a
 * JournalCorruptError. Only the lock holder appends; anyone may read.
 */
export class FileJournalStore implements JournalStore {
  readonly file: string;
  private readonly options: FileJournalStoreOptions;
  private handle: FileHandle | undefined;
  private nextSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileJournalStoreOptions) {
    this.options = options;
    this.file = join(options.stateDir, JOURNAL_FILE);
  }

  async read(): Promise<JournalReadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
      throw error;
    }
    return parseJournal(this.file, text);
  }

  /** Numbers, stamps and durably appends one record; appends are serialised in call order. */
  append(entry: JournalEntry): Promise<JournalRecord> {
    const result = this.queue.then(() => this.write(entry));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the file; a later append reopens it. */
  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async write(entry: JournalEntry): Promise<JournalRecord> {
    const handle = await this.openForAppend();
    const record = stampRecord(entry, {
      v: JOURNAL_VERSION,
      seq: this.nextSeq,
      at: new Date(this.options.clock.now()).toISOString(),
      campaign: this.options.campaign,
    });
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.datasync();
    this.nextSeq += 1;
    return record;
  }

  private async openForAppend(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await mkdir(this.options.stateDir, { recursive: true });
    const handle = await open(this.file, 'a+');
    try {
      const text = (await handle.readFile({ encoding: 'utf8' })) as string;
      const { records, tornTail } = parseJournal(this.file, text);
      if (tornTail !== undefined) {
        await appendFile(join(dirname(this.file), TORN_FILE), `${tornTail}\n`);
        await handle.truncate(Buffer.byteLength(text, 'utf8') - Buffer.byteLength(tornTail, 'utf8'));
      }
      this.nextSeq = (records.at(-1)?.seq ?? 0) + 1;
      await syncDirectory(this.options.stateDir);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.handle = handle;
    return handle;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
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
