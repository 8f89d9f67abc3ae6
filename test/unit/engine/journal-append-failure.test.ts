import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.js';
import {
  FileJournalStore,
  type JournalFileHandle,
  parseJournal,
} from '../../../src/engine/journal/file-journal-store.js';
import { JournalUnwritableError } from '../../../src/engine/journal/journal-unwritable-error.js';
import { FakeClock } from './fakes/fake-clock.js';

/** What the fake file does on its next write call. */
type WriteScript = { readonly upTo: number } | { readonly fail: string };

/** A journal file in memory whose writes follow a script: short writes, then errors. */
class ScriptedFile implements JournalFileHandle {
  bytes = Buffer.alloc(0);
  writeCalls = 0;
  truncations: number[] = [];
  script: WriteScript[] = [];
  truncateFails = false;

  async write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }> {
    this.writeCalls += 1;
    const next = this.script.shift();
    if (next !== undefined && 'fail' in next) throw Object.assign(new Error(next.fail), { code: 'ENOSPC' });
    const count = next === undefined ? length : Math.min(length, next.upTo);
    this.bytes = Buffer.concat([this.bytes, buffer.subarray(offset, offset + count)]);
    return { bytesWritten: count };
  }

  datasyncs = 0;

  async datasync(): Promise<void> {
    this.datasyncs += 1;
  }

  async truncate(length: number): Promise<void> {
    if (this.truncateFails) throw new Error('EIO: i/o error, ftruncate');
    this.truncations.push(length);
    this.bytes = this.bytes.subarray(0, length);
  }

  async chmod(): Promise<void> {}

  async readFile(): Promise<string> {
    return this.bytes.toString('utf8');
  }

  async close(): Promise<void> {}

  get text(): string {
    return this.bytes.toString('utf8');
  }
}

async function storeOn(file: ScriptedFile): Promise<FileJournalStore> {
  const stateDir = await mkdtemp(join(tmpdir(), 'dbwave-journal-'));
  return new FileJournalStore({
    stateDir,
    campaign: 'c1',
    clock: new FakeClock(),
    openFile: async () => file,
  });
}

const started = (server: string) =>
  ({ kind: 'step', wave: 1, server, step: 'shutdown', event: 'started' }) as const;
const succeeded = (server: string) =>
  ({ kind: 'step', wave: 1, server, step: 'shutdown', event: 'succeeded' }) as const;

describe('a journal append that the file system cuts short', () => {
  it('writes the rest of a line after a short write', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    file.script = [{ upTo: 7 }, { upTo: 20 }];
    await journal.append(started('db1'));
    expect(file.writeCalls).toBe(3);
    expect(parseJournal('journal.jsonl', file.text).records).toHaveLength(1);
    expect(file.text.endsWith('\n')).toBe(true);
  });

  it('cuts a half-written record back to the last whole one and says the step did not start', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    await journal.append(started('db1'));
    const whole = file.bytes.length;
    file.script = [{ upTo: 30 }, { fail: 'ENOSPC: no space left on device, write' }];
    const failure = await journal.append(started('db2')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JournalUnwritableError);
    expect(failure).toMatchObject({ code: ErrorCode.JournalUnwritable });
    expect((failure as Error).message).toMatch(/no space left on device/);
    expect((failure as Error).message).toMatch(/step shutdown of db2 did not start/);
    expect(file.truncations).toEqual([whole]);
    expect(file.bytes.length).toBe(whole);
  });

  it('says an outcome is not recorded when the failed record was one', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    file.script = [{ fail: 'ENOSPC: no space left on device, write' }];
    await expect(journal.append(succeeded('db1'))).rejects.toThrow(
      /the outcome of step shutdown on db1 \(succeeded\) is not recorded/,
    );
  });

  it('starts the next record on a clean line, with the seq the lost one would have had', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    await journal.append(started('db1'));
    file.script = [{ upTo: 12 }, { fail: 'ENOSPC: no space left on device, write' }];
    await journal.append(started('db2')).catch(() => undefined);
    const next = await journal.append(started('db3'));
    expect(next.seq).toBe(2);
    const { records, tornTail } = parseJournal('journal.jsonl', file.text);
    expect(records.map((record) => ('server' in record ? record.server : ''))).toEqual(['db1', 'db3']);
    expect(tornTail).toBeUndefined();
  });

  it('refuses every later append when the half-written record cannot be cut back', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    await journal.append(started('db1'));
    file.script = [{ upTo: 12 }, { fail: 'EIO: i/o error, write' }];
    file.truncateFails = true;
    await expect(journal.append(started('db2'))).rejects.toBeInstanceOf(JournalUnwritableError);
    const writesBefore = file.writeCalls;
    await expect(journal.append(started('db3'))).rejects.toThrow(/could not be cut back/);
    expect(file.writeCalls).toBe(writesBefore);
  });
});

describe('a record held for the next append (appendLater)', () => {
  it('goes down before the next record, in one write and one datasync, and resolves then', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    await journal.append(started('db1'));
    const [writes, syncs] = [file.writeCalls, file.datasyncs];
    let held = false;
    const later = journal.appendLater(succeeded('db1')).then((record) => {
      held = true;
      return record;
    });
    await Promise.resolve();
    expect(held).toBe(false);
    expect(parseJournal('j', file.text).records).toHaveLength(1);
    const next = await journal.append(started('db2'));
    expect((await later).seq).toBe(2);
    expect(next.seq).toBe(3);
    expect([file.writeCalls - writes, file.datasyncs - syncs]).toEqual([1, 1]);
    expect(
      parseJournal('j', file.text).records.map((record) => record.kind === 'step' && record.event),
    ).toEqual(['started', 'succeeded', 'started']);
  });

  it('fails with the append it goes down with, and leaves the file on its last whole record', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    await journal.append(started('db1'));
    const before = file.text;
    const later = journal.appendLater(succeeded('db1'));
    file.script = [{ upTo: 30 }, { fail: 'ENOSPC: no space left on device, write' }];
    await expect(journal.append(started('db2'))).rejects.toBeInstanceOf(JournalUnwritableError);
    await expect(later).rejects.toBeInstanceOf(JournalUnwritableError);
    expect(file.text).toBe(before);
  });

  it('is written by a read or a close when no append follows', async () => {
    const file = new ScriptedFile();
    const journal = await storeOn(file);
    const first = journal.appendLater(started('db1'));
    await journal.read();
    expect((await first).seq).toBe(1);
    expect(parseJournal('j', file.text).records).toHaveLength(1);
    const second = journal.appendLater(succeeded('db1'));
    await journal.close();
    expect((await second).seq).toBe(2);
    expect(parseJournal('j', file.text).records).toHaveLength(2);
  });
});
