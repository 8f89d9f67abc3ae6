import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healHost, injectFault } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { loadFleet, queryOne, sshRun, waitFor } from '../fleet/fleet-fixture.js';
import {
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
  upgradeCommandsRun,
} from './engine-fleet.js';

/** HAProxy's answer for a shard right now. */
async function shardStatus(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('dbwave run on the local fleet', () => {
  const fleet = loadFleet();
  beforeAll(() => resetFleet(fleet));
  afterAll(() => resetFleet(fleet));

  it('upgrades a whole wave, each server behind a 503 window that users see and that is closed at the end', async () => {
    const campaign = await engineCampaign('full-wave');
    await resetFleet(fleet);
    const watched = campaign.wave1[0];
    if (!watched) throw new Error('wave 1 is empty');
    const seen = new Set<number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        seen.add(await shardStatus(watched.url).catch(() => 0));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const result = await runWave1(campaign);
    polling = false;
    await poller;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(seen.has(503)).toBe(true);
    const { replay } = await journalOf(campaign);
    for (const target of campaign.wave1) {
      const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
      expect(String(version.v)).toMatch(new RegExp(`^${fleet.versions.to.replaceAll('.', '\\.')}`));
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      expect(await upgradeCommandsRun(campaign, target.name)).toBe(1);
      expect(await shardStatus(target.url)).toBe(200);
    }
  });

  it('rolls back a server whose new version does not start, and closes its window', async () => {
    const campaign = await engineCampaign('start-fails');
    await resetFleet(fleet);
    const victim = campaign.wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    await injectFault(new FleetPaths(fleet.root), victim.name, 'start-fails-on-new');
    const result = await runWave1(campaign);
    expect(result.code).toBe(1);
    const { replay } = await journalOf(campaign);
    expect(replay.servers.get(victim.name)).toMatchObject({ outcome: 'RolledBack', window: 'closed' });
    const version = await queryOne(fleet, victim, 'SELECT VERSION() AS v');
    expect(String(version.v)).toMatch(new RegExp(`^${fleet.versions.from.replaceAll('.', '\\.')}`));
    expect(await shardStatus(victim.url)).toBe(200);
  });

  it('fails the prechecks of a host whose sshd is down without opening its window', async () => {
    const campaign = await engineCampaign('ssh-down', { failureBudget: 5 });
    await resetFleet(fleet);
    const victim = campaign.wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    await injectFault(new FleetPaths(fleet.root), victim.name, 'ssh-down');
    const result = await runWave1(campaign);
    expect(result.code).toBe(1);
    const { records, replay } = await journalOf(campaign);
    expect(replay.servers.get(victim.name)?.outcome).toBe('PrecheckFailed');
    expect(
      records.some((r) => r.kind === 'step' && r.server === victim.name && r.step === 'window-open'),
    ).toBe(false);
    for (const other of campaign.wave1.slice(1))
      expect(replay.servers.get(other.name)?.outcome).toBe('Upgraded');
  });

  it('runs commands.prepare before any window, and stops a server whose prepare fails before anything is touched', async () => {
    const victim = (await engineCampaign('prepare-probe')).wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    // Fails on the victim alone: `{{name}}` is rendered shell-quoted.
    const campaign = await engineCampaign('prepare', {
      failureBudget: 5,
      commands: { prepare: `{{vars.fleetctl}} installed-version && test {{name}} != '${victim.name}'` },
    });
    await resetFleet(fleet);
    const result = await runWave1(campaign);
    expect(result.code).toBe(1);
    const { records, replay } = await journalOf(campaign);
    const stepsOf = (name: string): string[] =>
      records.flatMap((r) => (r.kind === 'step' && r.server === name ? [`${r.step}:${r.event}`] : []));
    expect(replay.servers.get(victim.name)).toMatchObject({ outcome: 'PrecheckFailed' });
    expect(stepsOf(victim.name)).toEqual([
      'precheck:started',
      'precheck:succeeded',
      'prepare:started',
      'prepare:failed',
    ]);
    expect(await upgradeCommandsRun(campaign, victim.name)).toBe(0);
    const version = await queryOne(fleet, victim, 'SELECT VERSION() AS v');
    expect(String(version.v)).toMatch(new RegExp(`^${fleet.versions.from.replaceAll('.', '\\.')}`));
    for (const other of campaign.wave1.slice(1)) {
      expect(replay.servers.get(other.name)?.outcome).toBe('Upgraded');
      const steps = stepsOf(other.name);
      expect(steps.indexOf('prepare:succeeded')).toBeGreaterThan(-1);
      expect(steps.indexOf('prepare:succeeded')).toBeLessThan(steps.indexOf('window-open:started'));
    }
  });

  it('alerts on a shutdown over its budget (a long transaction to roll back) and, with policy wait, upgrades', async () => {
    const campaign = await engineCampaign('over-budget', {
      prechecks: { maxTransactionAge: '1h' },
      shutdown: { budget: '1s', overBudget: 'wait', hardLimit: '10m' },
    });
    await resetFleet(fleet);
    const victim = campaign.wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    await injectFault(new FleetPaths(fleet.root), victim.name, 'long-transaction');
    const result = await runWave1(campaign);
    const { records, replay } = await journalOf(campaign);
    expect(
      records.some(
        (r) => r.kind === 'alert' && r.alert === 'shutdown-over-budget' && r.server === victim.name,
      ),
      result.stdout,
    ).toBe(true);
    expect(replay.servers.get(victim.name)?.outcome).toBe('Upgraded');
  });

  it('gives up on a mysqld that hangs during its shutdown, never kills it, and leaves its window open for a person', async () => {
    const campaign = await engineCampaign('hang', {
      prechecks: { maxTransactionAge: '1h' },
      shutdown: { budget: '2s', overBudget: 'wait', hardLimit: '8s' },
      failureBudget: 5,
    });
    await resetFleet(fleet);
    const victim = campaign.wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    const paths = new FleetPaths(fleet.root);
    // A transaction to roll back makes the clean shutdown last long enough to freeze it midway.
    await injectFault(paths, victim.name, 'long-transaction');
    const run = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
    await run.waitForLine(new RegExp(`${victim.name}\\s+shutdown:`));
    await injectFault(paths, victim.name, 'hang');
    const result = await run.done;
    expect(result.code, result.stdout).toBe(1);
    const { replay } = await journalOf(campaign);
    // Closing the window would send users to a server still flushing and about to exit (issue 11).
    expect(replay.servers.get(victim.name)).toMatchObject({ outcome: 'NeedsPerson', window: 'open' });
    const installed = await sshRun(fleet, victim, `${victim.fleetctl} installed-version`);
    expect(installed.stdout.trim()).toBe(fleet.versions.from);
    // Thawed, the frozen shutdown goes on to its end: wait for it before the next test resets the host.
    await healHost(paths, victim.name);
    await waitFor(
      `${victim.name} to finish its shutdown`,
      async () => (await sshRun(fleet, victim, `${victim.fleetctl} running`)).code !== 0,
      180_000,
    );
  });

  it('refuses a second run of the same campaign while the first holds the lock', async () => {
    const campaign = await engineCampaign('two-runs');
    await resetFleet(fleet);
    const first = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
    await first.waitForLine(/window-open started/);
    const second = await startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date'])
      .done;
    expect(second.code).toBe(3); // the lock is held: its own exit status
    expect(second.stderr).toMatch(new RegExp(`held by .* pid ${first.child.pid}`));
    expect((await first.done).code).toBe(0);
  });
});
