import { chmod, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandOutputStore } from '../../../src/adapters/output/command-output-store.js';
import { checklistForWave } from '../../../src/app/checklist-for-wave.js';
import { reportWave } from '../../../src/app/report-wave.js';
import { writeFileAtomically } from '../../../src/core/write-file-atomically.js';
import { EngineEvents } from '../../../src/engine/events/engine-events.js';
import { FileJournalStore, JOURNAL_FILE } from '../../../src/engine/journal/file-journal-store.js';
import { CampaignLock, LOCK_FILE } from '../../../src/engine/lock/campaign-lock.js';
import { describeNarrowed } from '../../../src/engine/lock/private-state-dir.js';
import { attachEventLog, EVENT_LOG_FILE } from '../../../src/observers/event-log.js';
import { TextfileWriter } from '../../../src/observers/metrics/textfile-writer.js';
import { journalText, SyntheticJournal } from '../report/synthetic-journal.js';
import { FakeClock } from './fakes/fake-clock.js';

/**
 * Modes of what dbwave writes, checked on real files. The umask is 022, as on most hosts, so that
 * a file created with node's default (0666 & ~022 = 0644) would show here as readable by others.
 */
let savedUmask: number;
beforeAll(() => {
  savedUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(savedUmask);
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const here = { user: 'dba', host: 'ops-1', pid: process.pid };
const lockOptions = (stateDir: string) => ({
  stateDir,
  clock: new FakeClock(),
  identity: here,
  isProcessAlive: () => true,
  heartbeatMs: 60_000,
});

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dbwave-modes-'));
}

describe('the state dir', () => {
  it('is created 0700 when the lock is taken, with the lock 0600', async () => {
    const stateDir = join(await scratch(), '.dbwave', 'c1');
    const { lock, narrowed } = await CampaignLock.acquire(lockOptions(stateDir));
    expect(await modeOf(stateDir)).toBe(0o700);
    expect(await modeOf(join(stateDir, LOCK_FILE))).toBe(0o600);
    await lock.beat();
    expect(await modeOf(join(stateDir, LOCK_FILE))).toBe(0o600);
    expect(narrowed).toEqual([]);
    await lock.release();
  });

  it('holds a journal, a torn-line file, a log and command output that only their owner reads', async () => {
    const stateDir = join(await scratch(), 'state');
    const journal = new FileJournalStore({ stateDir, campaign: 'c1', clock: new FakeClock() });
    await journal.append({ kind: 'alert', wave: 1, alert: 'other', message: 'hello' });
    await journal.close();
    expect(await modeOf(stateDir)).toBe(0o700);
    expect(await modeOf(join(stateDir, JOURNAL_FILE))).toBe(0o600);

    await writeFile(
      join(stateDir, JOURNAL_FILE),
      `${await readFile(join(stateDir, JOURNAL_FILE), 'utf8')}{"v":1`,
    );
    const again = new FileJournalStore({ stateDir, campaign: 'c1', clock: new FakeClock() });
    await again.append({ kind: 'alert', wave: 1, alert: 'other', message: 'after a crash' });
    await again.close();
    expect(await modeOf(join(stateDir, 'journal.torn'))).toBe(0o600);

    const events = new EngineEvents();
    const log = attachEventLog({ events, path: join(stateDir, EVENT_LOG_FILE), campaign: 'c1' });
    await events.emit('alert', { at: '2026-01-01T00:00:00.000Z', wave: 1, alert: 'other', message: 'x' });
    await log.close();
    expect(await modeOf(join(stateDir, EVENT_LOG_FILE))).toBe(0o600);

    const file = await new CommandOutputStore(stateDir).write({
      server: 'db1',
      step: 'upgrade',
      label: 'upgrade',
      at: '2026-01-01T00:00:00.000Z',
      command: 'true',
      exitCode: 0,
      durationMs: 1,
      stdout: '',
      stderr: '',
    });
    expect(await modeOf(join(stateDir, 'output'))).toBe(0o700);
    expect(await modeOf(join(stateDir, 'output', 'db1'))).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);
  });

  it('is made private again when an older dbwave left it open, and says so once', async () => {
    const stateDir = join(await scratch(), 'state');
    await mkdir(join(stateDir, 'output', 'db1'), { recursive: true, mode: 0o755 });
    await chmod(stateDir, 0o755);
    await writeFile(join(stateDir, JOURNAL_FILE), '', { mode: 0o644 });
    await writeFile(join(stateDir, 'output', 'db1', '000001-upgrade-upgrade.log'), 'x', { mode: 0o644 });
    const elsewhere = join(await scratch(), 'not-ours');
    await writeFile(elsewhere, 'x', { mode: 0o644 });
    await symlink(elsewhere, join(stateDir, 'link'));

    const { lock, narrowed } = await CampaignLock.acquire(lockOptions(stateDir));
    await lock.release();
    expect(await modeOf(stateDir)).toBe(0o700);
    expect(await modeOf(join(stateDir, JOURNAL_FILE))).toBe(0o600);
    expect(await modeOf(join(stateDir, 'output'))).toBe(0o700);
    expect(await modeOf(join(stateDir, 'output', 'db1'))).toBe(0o700);
    expect(await modeOf(join(stateDir, 'output', 'db1', '000001-upgrade-upgrade.log'))).toBe(0o600);
    // A symlink is not followed: what it points to is not dbwave's to change.
    expect(await modeOf(elsewhere)).toBe(0o644);
    expect(describeNarrowed(stateDir, narrowed)).toBe(
      `made the state dir private (it holds the journal, the lock and command output): ${stateDir} was 0755, now 0700; 4 file(s) and folder(s) in ${stateDir} were open to others, now 0600/0700`,
    );
    const second = await CampaignLock.acquire(lockOptions(stateDir));
    await second.lock.release();
    expect(describeNarrowed(stateDir, second.narrowed)).toBeUndefined();
  });
});

describe('a file written atomically', () => {
  it('is created 0600 unless told otherwise, and leaves no temporary file', async () => {
    const folder = await scratch();
    await writeFileAtomically(join(folder, 'report.md'), 'hello');
    expect(await modeOf(join(folder, 'report.md'))).toBe(0o600);
    await writeFileAtomically(join(folder, 'plan.yaml'), 'hello', { mode: 0o644 });
    expect(await modeOf(join(folder, 'plan.yaml'))).toBe(0o644);
    expect(await readdir(folder)).toEqual(['plan.yaml', 'report.md']);
  });

  it('keeps the mode of the file it replaces', async () => {
    const folder = await scratch();
    const path = join(folder, 'report.md');
    await writeFile(path, 'old');
    await chmod(path, 0o640);
    await writeFileAtomically(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await modeOf(path)).toBe(0o640);
  });
});

describe('what the commands write', () => {
  const PLAN = 'test/unit/report/fixtures/plan.yaml';
  const streams = { stdout: { write: () => true }, stderr: { write: () => true } };

  it('writes reports and checklists with --out 0600', async () => {
    const stateDir = await scratch();
    const journal = new SyntheticJournal().waveStarted(1, ['db-a1', 'db-b1', 'db-c1']);
    journal.healthyServer(1, 'db-a1');
    await writeFile(join(stateDir, JOURNAL_FILE), journalText(journal.records));
    const report = join(stateDir, 'wave-1.html');
    const services = { streams, clock: new FakeClock(), cwd: process.cwd() };
    await reportWave({ plan: PLAN, wave: 1, stateDir, format: 'html', out: report }, services);
    expect(await modeOf(report)).toBe(0o600);
    const checklist = join(stateDir, 'checklist.md');
    await checklistForWave({ plan: PLAN, wave: 1, out: checklist }, streams);
    expect(await modeOf(checklist)).toBe(0o600);
  });

  it('writes the metrics textfile 0644, for node_exporter to read', async () => {
    const path = join(await scratch(), 'dbwave.prom');
    const writer = new TextfileWriter(path, async () => 'dbwave_up 1\n');
    await writer.update();
    expect(writer.error).toBeUndefined();
    expect(await modeOf(path)).toBe(0o644);
  });
});
