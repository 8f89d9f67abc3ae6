import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { unlockCampaign } from '../../../src/app/unlock-campaign.js';
import { exitStatusFor } from '../../../src/core/errors.js';
import { plannedCampaign, services, WAVE_DAY } from './fakes/cli-harness.js';
import { FakeClock } from './fakes/fake-clock.js';
import { TO } from './fakes/fake-versions.js';

describe('dbwave run', () => {
  it('runs a wave inside its window and exits 0 when every server upgraded', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, out, fleet } = services(dir);
    const status = await runWaveCommand({ plan, wave: 1, yes: true }, s);
    expect(status).toBe(0);
    expect([...fleet.hosts.values()].map((host) => host.runningVersion)).toEqual([TO, TO]);
    expect(out.join('')).toMatch(/every server upgraded/);
    const journal = await readFile(join(dir, '.dbwave', 'test', 'journal.jsonl'), 'utf8');
    expect(journal.split('\n').filter(Boolean).length).toBeGreaterThan(40);
  });

  it('exits 1 when a server did not upgrade', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    const plannedFirst = (await readFile(join(dir, plan), 'utf8')).match(/name: (db\d)/)?.[1] ?? 'db1';
    fleet.host(plannedFirst).faults.startFailsOnNew = true;
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(1);
  });

  it('runs only the share --only names (file store: one runner, the rest left for another run)', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet, out } = services(dir);
    const first = (await readFile(join(dir, plan), 'utf8')).match(/name: (db\d)/)?.[1] ?? 'db1';
    expect(await runWaveCommand({ plan, wave: 1, yes: true, only: [`name=${first}`] }, s)).toBe(0);
    expect([...fleet.hosts.keys()]).toEqual([first]);
    expect(out.join('')).toMatch(/every server upgraded/);
  });

  it('journals a wave finished only once every share of it ran (file store, --only)', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    const first = (await readFile(join(dir, plan), 'utf8')).match(/name: (db\d)/)?.[1] ?? 'db1';
    const waveEvents = async (): Promise<string[]> =>
      (await readFile(join(dir, '.dbwave', 'test', 'journal.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { kind: string; event?: string })
        .filter((record) => record.kind === 'wave')
        .map((record) => record.event ?? '');
    expect(await runWaveCommand({ plan, wave: 1, yes: true, only: [`name=${first}`] }, s)).toBe(0);
    expect(await waveEvents()).toEqual(['started']);
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(0);
    expect(await waveEvents()).toEqual(['started', 'resumed', 'finished']);
    expect(fleet.hosts.size).toBe(2);
  });

  it('refuses an --only that matches no server of the wave, touching nothing (exit 2)', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    const refused = runWaveCommand({ plan, wave: 1, yes: true, only: ['datacenter=nowhere'] }, s);
    await expect(refused).rejects.toMatchObject({ code: 'USAGE' });
    await expect(refused).rejects.toThrow(/no server of wave 1 .* matches --only datacenter=nowhere/);
    expect(fleet.hosts.size).toBe(0);
  });

  it('refuses to run without a terminal and without --yes, touching nothing', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    await expect(runWaveCommand({ plan, wave: 1 }, s)).rejects.toMatchObject({ code: 'USAGE' });
    expect(fleet.hosts.size).toBe(0);
  });

  it('asks on a terminal and does nothing when the operator says no', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet, out } = services(dir, { interactive: true, confirm: async () => false });
    expect(await runWaveCommand({ plan, wave: 1 }, s)).toBe(1);
    expect(fleet.hosts.size).toBe(0);
    expect(out.join('')).toMatch(/Wave 1 of test/);
  });

  it('refuses a wave before its day unless --ignore-date', async () => {
    // Wave 2 right after wave 1: without soak points it does not wait for wave 1's soak.
    const { dir, plan } = await plannedCampaign(['soak: {points: []}']);
    const { services: s, fleet } = services(dir);
    await expect(runWaveCommand({ plan, wave: 2, yes: true }, s)).rejects.toThrow(
      /next window is 2026-11-26 02:00-06:00/,
    );
    expect(fleet.hosts.size).toBe(0);
    // Wave 2 waits for wave 1 too (wave order): wave 1 runs on its day first.
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(0);
    expect(await runWaveCommand({ plan, wave: 2, yes: true, ignoreDate: true }, s)).toBe(0);
  });

  it('refuses a wave the plan does not have, naming the waves it has, as the read commands do', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    await expect(runWaveCommand({ plan, wave: 7, yes: true }, s)).rejects.toMatchObject({
      code: 'USAGE',
      message: 'test has no wave 7 (its plan has waves 1, 2)',
    });
    expect(fleet.hosts.size).toBe(0);
  });

  it('refuses outside the day’s window', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir, { clock: new FakeClock(Date.parse(`${WAVE_DAY}T12:00:00Z`)) });
    await expect(runWaveCommand({ plan, wave: 1, yes: true }, s)).rejects.toThrow(/does not run now/);
  });

  it('prints every command of a dry run, even before the wave’s day, and connects to nothing', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, out, fleet } = services(dir);
    expect(await runWaveCommand({ plan, wave: 2, dryRun: true }, s)).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/fake upgrade 'db\d'/);
    expect(text).toMatch(/df -Pk -- '\/var\/lib\/mysql'/);
    expect(fleet.hosts.size).toBe(0);
  });

  it('refuses a second run while the first holds the lock', async () => {
    const { dir, plan } = await plannedCampaign();
    const first = services(dir);
    const second = services(dir, { identity: { user: 'eve', host: 'ops-1', pid: process.pid + 100_000 } });
    let refusal: Promise<unknown> | undefined;
    const window = first.fleet.window;
    const open = window.open.bind(window);
    window.open = async (server) => {
      refusal ??= runWaveCommand({ plan, wave: 1, yes: true }, second.services).catch(
        (error: unknown) => error,
      );
      await open(server);
    };
    await runWaveCommand({ plan, wave: 1, yes: true }, first.services);
    await expect(refusal).resolves.toMatchObject({ code: 'LOCKED' });
    // Its own exit status, so that a wrapper can tell "try later" from "look at the wave".
    expect(exitStatusFor(await refusal)).toBe(3);
  });

  it('is unlocked by unlock --force and not without it', async () => {
    const { dir, plan } = await plannedCampaign();
    const stateDir = join(dir, '.dbwave', 'test');
    await mkdir(stateDir, { recursive: true });
    const { services: s, out, clock } = services(dir);
    // Quiet for ten minutes: a fresh heartbeat is refused (see the next test).
    const at = new Date(clock.now() - 10 * 60_000).toISOString();
    await writeFile(
      join(stateDir, 'lock.json'),
      JSON.stringify({ user: 'bob', host: 'elsewhere', pid: 1, started: at, heartbeat: at }),
    );
    await expect(unlockCampaign({ plan }, s)).rejects.toThrow(/add --force/);
    expect(await unlockCampaign({ plan, force: true }, s)).toBe(0);
    expect(out.join('')).toMatch(/removed the lock of bob@elsewhere/);
  });

  it('refuses unlock --force of a lock whose heartbeat is fresh, whatever host holds it', async () => {
    const { dir, plan } = await plannedCampaign();
    const stateDir = join(dir, '.dbwave', 'test');
    await mkdir(stateDir, { recursive: true });
    const { services: s, clock } = services(dir);
    const at = new Date(clock.now() - 1_000).toISOString();
    const lock = JSON.stringify({ user: 'bob', host: 'elsewhere', pid: 1, started: at, heartbeat: at });
    await writeFile(join(stateDir, 'lock.json'), lock);
    const refusal = unlockCampaign({ plan, force: true }, s);
    await expect(refusal).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(refusal).rejects.toThrow(/heartbeat is fresh: that run is alive; stop it on elsewhere/);
    expect(await readFile(join(stateDir, 'lock.json'), 'utf8')).toBe(lock);
  });

  it('stops before its next side effect when its lock is removed mid-wave, and the next run resumes', async () => {
    const { dir, plan } = await plannedCampaign();
    // One server at a time: no other append is in flight when the lock goes (the file store's
    // check and write are two steps; a run that is mid-append when its lock is removed finishes it).
    const campaignFile = join(dir, 'campaign.yaml');
    await writeFile(campaignFile, (await readFile(campaignFile, 'utf8')).replace('{wave: 2}', '{wave: 1}'));
    const stateDir = join(dir, '.dbwave', 'test');
    const first = services(dir);
    const window = first.fleet.window;
    const open = window.open.bind(window);
    let journalAtRemoval = '';
    window.open = async (server) => {
      if (journalAtRemoval === '') {
        await rm(join(stateDir, 'lock.json'));
        journalAtRemoval = await readFile(join(stateDir, 'journal.jsonl'), 'utf8');
      }
      await open(server);
    };
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, first.services)).toBe(1);
    expect(first.out.join('')).toMatch(/lock\.json is no longer this run's lock: it was removed/);
    // Nothing was journaled after the lock went: another run may own the journal now.
    expect(await readFile(join(stateDir, 'journal.jsonl'), 'utf8')).toBe(journalAtRemoval);

    window.open = open;
    const next = services(dir, { adapters: first.services.adapters });
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, next.services)).toBe(0);
    expect([...first.fleet.hosts.values()].map((host) => host.runningVersion)).toEqual([TO, TO]);
  });
});
