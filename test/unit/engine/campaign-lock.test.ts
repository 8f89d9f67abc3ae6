import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../../src/engine/journal/file-journal-store.js';
import { JournalUnwritableError } from '../../../src/engine/journal/journal-unwritable-error.js';
import { CampaignLock, forceUnlock, inspectLock, LOCK_FILE } from '../../../src/engine/lock/campaign-lock.js';
import type { LockOwner } from '../../../src/engine/lock/lock-owner.js';
import { LockedError } from '../../../src/engine/lock/locked-error.js';
import { FakeClock } from './fakes/fake-clock.js';

const here = { user: 'dba', host: 'ops-1', pid: 4242 };

async function stateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dbwave-lock-'));
}

function options(
  dir: string,
  clock = new FakeClock(),
  alive: (pid: number, processStart?: string) => boolean = () => true,
) {
  return { stateDir: dir, clock, identity: here, isProcessAlive: alive, heartbeatMs: 60_000 };
}

async function plantLock(dir: string, owner: Partial<LockOwner>, clock: FakeClock): Promise<void> {
  const at = new Date(clock.now()).toISOString();
  await writeFile(
    join(dir, LOCK_FILE),
    JSON.stringify({ user: 'other', host: 'ops-1', pid: 99, started: at, heartbeat: at, ...owner }),
  );
}

describe('the campaign lock', () => {
  it('is created with its owner and removed on release', async () => {
    const dir = await stateDir();
    const { lock, tookOverFrom } = await CampaignLock.acquire(options(dir));
    expect(tookOverFrom).toBeUndefined();
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject(here);
    await lock.release();
    expect((await inspectLock(options(dir))).state).toBe('free');
  });

  it('refuses a second run and says who holds the lock', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { user: 'alice', pid: 77 }, clock);
    const attempt = CampaignLock.acquire(options(dir, clock, () => true));
    await expect(attempt).rejects.toBeInstanceOf(LockedError);
    await expect(attempt).rejects.toThrow(/alice@ops-1 pid 77/);
  });

  it('takes over the lock of a dead process on this host, and says so', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { user: 'bob', pid: 31337 }, clock);
    const { lock, tookOverFrom } = await CampaignLock.acquire(options(dir, clock, () => false));
    expect(tookOverFrom).toMatchObject({ user: 'bob', pid: 31337 });
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject(here);
    await lock.release();
  });

  it('reports another host’s lock with an old heartbeat as stale instead of waiting on it', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { host: 'ops-2' }, clock);
    clock.advance(10 * 60_000);
    const attempt = CampaignLock.acquire(options(dir, clock));
    await expect(attempt).rejects.toMatchObject({ stale: true, code: 'LOCKED' });
    await expect(attempt).rejects.toThrow(/looks stale.*unlock PLAN --force/);
  });

  it('refuses another host’s lock with a fresh heartbeat as held, not stale', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { host: 'ops-2' }, clock);
    await expect(CampaignLock.acquire(options(dir, clock))).rejects.toMatchObject({ stale: false });
  });

  it('refreshes its heartbeat', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    const { lock } = await CampaignLock.acquire(options(dir, clock));
    const before = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockOwner;
    clock.advance(5_000);
    await lock.beat();
    const after = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockOwner;
    expect(Date.parse(after.heartbeat) - Date.parse(before.heartbeat)).toBe(5_000);
    await lock.release();
  });

  it('lets only one of two runs racing for it win', async () => {
    const dir = await stateDir();
    const results = await Promise.allSettled([
      CampaignLock.acquire({ ...options(dir), identity: { ...here, pid: 1 } }),
      CampaignLock.acquire({ ...options(dir), identity: { ...here, pid: 2 } }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'fulfilled') await result.value.lock.release();
  });

  it('is removed by unlock --force when its holder is gone: a dead process here, a stale heartbeat elsewhere', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { host: 'ops-2' }, clock);
    clock.advance(61_000);
    expect(await forceUnlock(options(dir, clock))).toMatchObject({
      removed: 'owner',
      owner: { host: 'ops-2' },
    });
    expect((await inspectLock(options(dir, clock))).state).toBe('free');

    await plantLock(dir, { host: 'ops-1', pid: 55 }, clock);
    expect(await forceUnlock(options(dir, clock, () => false))).toMatchObject({ removed: 'owner' });
    expect(await forceUnlock(options(dir, clock))).toEqual({ removed: 'nothing' });
  });

  it('refuses unlock --force while its process is alive on this host, or its heartbeat is fresh on any host', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { host: 'ops-1', pid: 55 }, clock);
    clock.advance(10 * 60_000);
    await expect(forceUnlock(options(dir, clock, () => true))).rejects.toThrow(
      /alive on this host; stop it instead/,
    );

    await plantLock(dir, { host: 'ops-2' }, clock);
    clock.advance(1_000);
    const refusal = forceUnlock(options(dir, clock));
    await expect(refusal).rejects.toBeInstanceOf(LockedError);
    await expect(refusal).rejects.toThrow(/heartbeat is fresh: that run is alive; stop it on ops-2/);
    expect((await inspectLock(options(dir, clock))).state).toBe('held');
  });

  it('asks whether a recorded pid is the same process: its start time is compared', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    const asked: [number, string | undefined][] = [];
    const alive = (pid: number, start?: string): boolean => {
      asked.push([pid, start]);
      return false;
    };
    await plantLock(dir, { host: 'ops-1', pid: 55, processStart: 'boot-a:123' }, clock);
    const { lock, tookOverFrom } = await CampaignLock.acquire(options(dir, clock, alive));
    expect(asked).toEqual([[55, 'boot-a:123']]);
    expect(tookOverFrom).toMatchObject({ pid: 55 });
    await lock.release();
  });

  describe('a lock file that is no lock', () => {
    it('is refused by a run with what is wrong and the way out, and removed by unlock --force once quiet', async () => {
      const dir = await stateDir();
      const clock = new FakeClock(Date.now());
      await writeFile(join(dir, LOCK_FILE), '');
      await expect(CampaignLock.acquire(options(dir, clock))).rejects.toThrow(
        /is not a lock dbwave can read \(the file is empty; .*unlock PLAN --force removes it/,
      );
      await expect(forceUnlock(options(dir, clock))).rejects.toThrow(/something may be writing it/);
      clock.advance(61_000);
      expect(await forceUnlock(options(dir, clock))).toEqual({
        removed: 'unreadable',
        problem: 'the file is empty',
      });
      expect((await inspectLock(options(dir, clock))).state).toBe('free');
    });

    it('names the bad JSON', async () => {
      const dir = await stateDir();
      await writeFile(join(dir, LOCK_FILE), '{"user": ');
      await expect(inspectLock(options(dir))).resolves.toMatchObject({
        state: 'unreadable',
        problem: /JSON/,
      });
    });
  });

  describe('a heartbeat from a host whose clock is ahead', () => {
    it('is called clock skew, not a fresh or a stale lock', async () => {
      const dir = await stateDir();
      const clock = new FakeClock();
      await plantLock(dir, { host: 'ops-2' }, clock);
      clock.advance(-2 * 3_600_000);
      await expect(inspectLock(options(dir, clock))).resolves.toMatchObject({
        state: 'held',
        clockSkewMs: 2 * 3_600_000,
      });
      await expect(CampaignLock.acquire(options(dir, clock))).rejects.toThrow(
        /heartbeat is 2h00m00s ahead of this host's clock: the clocks of ops-2 and this host disagree/,
      );
    });

    it('is watched by unlock --force for one stale period: removed if it did not change', async () => {
      const dir = await stateDir();
      const clock = new FakeClock();
      await plantLock(dir, { host: 'ops-2' }, clock);
      clock.advance(-3_600_000);
      const said: string[] = [];
      expect(await forceUnlock(options(dir, clock), (message) => said.push(message))).toMatchObject({
        removed: 'owner',
      });
      expect(said.join('')).toMatch(/watching it for 1m/);
      expect(clock.sleeps).toEqual([60_000]);
    });

    it('is kept by unlock --force if it changed while watched: that run is alive', async () => {
      const dir = await stateDir();
      const clock = new FakeClock();
      await plantLock(dir, { host: 'ops-2' }, clock);
      const watching = new FakeClock(clock.now() - 3_600_000);
      const sleep = watching.sleep.bind(watching);
      watching.sleep = async (ms, signal) => {
        await plantLock(
          dir,
          { host: 'ops-2', heartbeat: new Date(clock.now() + 5_000).toISOString() },
          clock,
        );
        await sleep(ms, signal);
      };
      await expect(forceUnlock(options(dir, watching))).rejects.toThrow(/heartbeat changed while watched/);
      expect((await inspectLock(options(dir, clock))).state).not.toBe('free');
    });
  });

  describe("as the journal's fence", () => {
    it('lets the holder append, and stops it before the next append once the lock is removed or replaced', async () => {
      const dir = await stateDir();
      const clock = new FakeClock();
      const { lock } = await CampaignLock.acquire(options(dir, clock));
      const journal = new FileJournalStore({ stateDir: dir, campaign: 'c', clock, fence: lock });
      const entry = { kind: 'wave', wave: 1, event: 'started' } as const;
      await journal.append(entry);

      await plantLock(dir, { user: 'eve', host: 'ops-2', pid: 7 }, clock);
      const replaced = journal.append(entry);
      await expect(replaced).rejects.toBeInstanceOf(JournalUnwritableError);
      await expect(replaced).rejects.toThrow(
        /is no longer this run's lock: it now belongs to eve@ops-2 pid 7/,
      );

      await rm(join(dir, LOCK_FILE));
      await expect(journal.append(entry)).rejects.toThrow(/it was removed/);
      expect((await journal.read()).records).toHaveLength(1);
      await journal.close();
      await lock.release();
    });
  });
});
