import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignLock, forceUnlock, inspectLock, LOCK_FILE } from '../../../src/engine/lock/campaign-lock.js';
import type { LockOwner } from '../../../src/engine/lock/lock-owner.js';
import { LockedError } from '../../../src/engine/lock/locked-error.js';
import { FakeClock } from './fakes/fake-clock.js';

const here = { user: 'dba', host: 'ops-1', pid: 4242 };

async function stateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dbwave-lock-'));
}

function options(dir: string, clock = new FakeClock(), alive: (pid: number) => boolean = () => true) {
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

  it('is removed by unlock --force, except while its process is alive on this host', async () => {
    const dir = await stateDir();
    const clock = new FakeClock();
    await plantLock(dir, { host: 'ops-2' }, clock);
    expect(await forceUnlock(options(dir, clock))).toMatchObject({ host: 'ops-2' });
    expect((await inspectLock(options(dir, clock))).state).toBe('free');

    await plantLock(dir, { host: 'ops-1', pid: 55 }, clock);
    await expect(forceUnlock(options(dir, clock, () => true))).rejects.toBeInstanceOf(LockedError);
  });
});
