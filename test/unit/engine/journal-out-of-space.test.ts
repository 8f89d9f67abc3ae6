import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileJournalStore,
  JOURNAL_FILE,
  parseJournal,
} from '../../../src/engine/journal/file-journal-store.js';
import { JournalUnwritableError } from '../../../src/engine/journal/journal-unwritable-error.js';
import { FakeClock } from './fakes/fake-clock.js';

/**
 * A real journal on a 64 KiB tmpfs that fills up mid-append. Mounting needs root (we run as root
 * here and in CI); elsewhere the suite is skipped, saying why.
 */
const mountPoint = await mkdtemp(join(tmpdir(), 'dbwave-enospc-'));
const skipReason = mountTinyTmpfs(mountPoint);

function mountTinyTmpfs(directory: string): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', directory], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${(error as Error).message}`;
  }
}

if (skipReason !== undefined) process.stderr.write(`journal-out-of-space: skipped: ${skipReason}\n`);

describe.skipIf(skipReason !== undefined)('a journal on a disk that runs out of space', () => {
  const stateDir = join(mountPoint, 'state');
  let failure: unknown;
  let appended = 0;

  beforeAll(async () => {
    await mkdir(stateDir);
    const journal = new FileJournalStore({ stateDir, campaign: 'c1', clock: new FakeClock() });
    // Records of uneven length, so that one of them is cut short when the disk fills.
    for (let index = 0; failure === undefined && index < 10_000; index += 1) {
      try {
        await journal.append({
          kind: 'alert',
          wave: 1,
          alert: 'other',
          message: `filler ${index} ${'x'.repeat(100 + (index % 7) * 37)}`,
        });
        appended += 1;
      } catch (error) {
        failure = error;
      }
    }
    await journal.close();
  });

  afterAll(async () => {
    if (skipReason === undefined) execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('fails the append with a message that says no space is left', () => {
    expect(failure).toBeInstanceOf(JournalUnwritableError);
    expect((failure as Error).message).toMatch(/no space left on device/);
    expect((failure as Error).message).toContain(stateDir);
  });

  it('leaves the file ending on its last whole record, and it replays', async () => {
    const text = await readFile(join(stateDir, JOURNAL_FILE), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const { records, tornTail } = parseJournal(JOURNAL_FILE, text);
    expect(tornTail).toBeUndefined();
    expect(records).toHaveLength(appended);
    const reread = await new FileJournalStore({ stateDir, campaign: 'c1', clock: new FakeClock() }).read();
    expect(reread.records.map((record) => record.seq)).toEqual(records.map((record) => record.seq));
  });

  it('appends again, on a clean line, once there is room', async () => {
    // Room is made as a DBA would: by removing something; here, the journal's last five records.
    const file = join(stateDir, JOURNAL_FILE);
    const lines = (await readFile(file, 'utf8')).split('\n').slice(0, Math.max(1, appended - 5));
    await writeFile(file, `${lines.join('\n')}\n`);
    const journal = new FileJournalStore({ stateDir, campaign: 'c1', clock: new FakeClock() });
    const record = await journal.append({ kind: 'alert', wave: 1, alert: 'other', message: 'room again' });
    await journal.close();
    expect(record.seq).toBe(lines.length + 1);
    const after = parseJournal(JOURNAL_FILE, await readFile(file, 'utf8'));
    expect(after.tornTail).toBeUndefined();
    expect(after.records.at(-1)).toMatchObject({ message: 'room again' });
  });
});
