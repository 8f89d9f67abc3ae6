import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournalStore, JOURNAL_FILE, TORN_FILE } from '../../../src/engine/journal/file-journal-store.js';
import { JournalCorruptError } from '../../../src/engine/journal/journal-corrupt-error.js';
import { FakeClock } from './fakes/fake-clock.js';

async function stateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dbwave-journal-'));
}

function store(dir: string): FileJournalStore {
  return new FileJournalStore({ stateDir: dir, campaign: 'c1', clock: new FakeClock() });
}

const step = (server: string) =>
  ({ kind: 'step', wave: 1, server, step: 'precheck', event: 'started' }) as const;

/** A state dir whose journal holds a record per server named, written and closed. */
async function journalOf(...servers: string[]): Promise<{ dir: string; file: string }> {
  const dir = await stateDir();
  const journal = store(dir);
  for (const server of servers) await journal.append(step(server));
  await journal.close();
  return { dir, file: join(dir, JOURNAL_FILE) };
}

describe('the file journal', () => {
  it('numbers records from 1 and reads them back in order', async () => {
    const { dir } = await journalOf('a', 'b');
    const { records, tornTail } = await store(dir).read();
    expect(records.map((record) => [record.seq, 'server' in record ? record.server : ''])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(tornTail).toBeUndefined();
  });

  it('keeps numbering where an earlier run stopped', async () => {
    const dir = await stateDir();
    const first = store(dir);
    await first.append(step('a'));
    await first.close();
    const second = store(dir);
    const record = await second.append(step('b'));
    expect(record.seq).toBe(2);
  });

  it('serialises appends made at the same time', async () => {
    const dir = await stateDir();
    const journal = store(dir);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => journal.append(step(name))));
    const { records } = await journal.read();
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops and reports a torn last line, and the next writer starts on a fresh line', async () => {
    const { dir, file } = await journalOf('a');
    await writeFile(file, `${await readFile(file, 'utf8')}{"v":1,"seq":2,"at":"2026-11`);

    const read = await store(dir).read();
    expect(read.records).toHaveLength(1);
    expect(read.tornTail).toBe('{"v":1,"seq":2,"at":"2026-11');

    const writer = store(dir);
    const record = await writer.append(step('b'));
    expect(record.seq).toBe(2);
    const after = await writer.read();
    expect(after.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(after.tornTail).toBeUndefined();
    expect(await readFile(join(dir, TORN_FILE), 'utf8')).toContain('"seq":2,"at":"2026-11');
  });

  it('calls damage before the last line corruption', async () => {
    const { dir, file } = await journalOf('a', 'b');
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, [lines[0]?.slice(0, 10), lines[1], ''].join('\n'));
    await expect(store(dir).read()).rejects.toBeInstanceOf(JournalCorruptError);
  });

  it('calls a gap in the numbering corruption', async () => {
    const { dir, file } = await journalOf('a', 'b');
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, [lines[1], ''].join('\n'));
    await expect(store(dir).read()).rejects.toThrow(/seq 2 where 1 belongs/);
  });

  it('reads a journal that does not exist yet as empty', async () => {
    expect((await store(join(await stateDir(), 'nothing')).read()).records).toEqual([]);
  });
});
