import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { haproxyCommand, serversState } from '../../../scripts/fleet/haproxy.js';
import type { FleetManifest, FleetServer } from '../../../scripts/fleet/manifest.js';
import { createMaintenanceWindow } from '../../../src/adapters/maintenance/maintenance-window-factory.js';
import type { AlertRecord, JournalRecord, StepRecord } from '../../../src/engine/journal/journal-record.js';
import { STEP_DETAIL_SCHEMAS, type StepDetail } from '../../../src/engine/journal/step-detail.js';
import {
  type EngineCampaign,
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
} from '../engine/engine-fleet.js';
import { waitFor } from '../fleet/fleet-fixture.js';
import { fleetCampaign, loadFleet, resolvedServer } from './adapter-fixture.js';

/**
 * Draining and the HAProxy pair on the local fleet: two real HAProxy instances in front of
 * every shard, the campaign naming both (`maintenance.sockets`), and users' requests through
 * them. The held request is a real `SELECT SLEEP(n)` on the shard's MariaDB behind HAProxy.
 */

const fleet = loadFleet();

/** Where each HAProxy of the pair has the server: maint or not. */
async function maintenanceOnEachInstance(target: FleetServer): Promise<boolean[]> {
  return Promise.all(
    fleet.haproxyInstances.map(async (instance) => {
      const states = await serversState(instance.socket);
      return states.find((state) => state.server === target.name)?.maintenance ?? false;
    }),
  );
}

/** Every HAProxy of the pair back to ready for every server, then the fleet as `up` left it. */
async function resetPair(manifest: FleetManifest): Promise<void> {
  for (const instance of manifest.haproxyInstances) {
    for (const server of manifest.servers) {
      await haproxyCommand(instance.socket, `set server ${server.shard}/${server.name} state ready`);
    }
  }
}

interface UsersAnswer {
  readonly status: number;
  readonly endedAt: number;
}

/** A user's request through HAProxy that holds its session `seconds` long. */
async function heldRequest(url: string, seconds: number): Promise<UsersAnswer> {
  const response = await fetch(`${url}?hold=${seconds}`);
  await response.arrayBuffer();
  return { status: response.status, endedAt: Date.now() };
}

/**
 * When HAProxy (the first of the pair) first held the server in maint, watched from outside by
 * polling: it happened after `clearAt` (when the last poll that still saw it serving was sent)
 * and before `seenAt` (when the first poll that saw maint answered). A poll's answer is late by
 * up to its interval, so each claim about the order of maint and a user's request uses the bound
 * that makes it exact.
 */
interface MaintSeen {
  readonly clearAt: number;
  readonly seenAt: number;
}

function watchMaint(target: FleetServer): { readonly at: Promise<MaintSeen>; stop: () => void } {
  let watching = true;
  const at = (async () => {
    let clearAt = Date.now();
    while (watching) {
      const sentAt = Date.now();
      const [first] = await maintenanceOnEachInstance(target).catch(() => [false]);
      if (first) return { clearAt, seenAt: Date.now() };
      clearAt = sentAt;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { clearAt: Number.NaN, seenAt: Number.NaN };
  })();
  return {
    at,
    stop: () => {
      watching = false;
    },
  };
}

/**
 * The fleet's campaign (both HAProxy instances) with `maintenance` changed; the target is wave
 * 1's first server (the wave holds one server of each class, run side by side).
 */
async function pairCampaign(name: string, maintenance: Record<string, unknown>) {
  const campaign = await engineCampaign(name, { maintenance, failureBudget: 5 });
  const target = campaign.wave1[0];
  if (target === undefined) throw new Error('wave 1 is empty');
  return { campaign, target };
}

/** What the window's opening journaled for the server (its drain), read through the journal's own schema. */
function windowOpened(
  records: readonly JournalRecord[],
  server: string,
): StepDetail<'window-open'> | undefined {
  const record = records.find(
    (candidate): candidate is StepRecord =>
      candidate.kind === 'step' &&
      candidate.server === server &&
      candidate.step === 'window-open' &&
      candidate.event === 'succeeded',
  );
  return record === undefined ? undefined : STEP_DETAIL_SCHEMAS['window-open'].parse(record.detail ?? {});
}

describe('the HAProxy pair, one window', () => {
  const campaign = fleetCampaign(fleet);
  const target = fleet.servers[fleet.servers.length - 1];
  if (target === undefined) throw new Error('the fleet has no server');
  const server = resolvedServer(target);
  const window = createMaintenanceWindow(campaign.maintenance, { campaign, campaignFile: fleet.campaign });

  beforeEach(() => resetPair(fleet));
  afterAll(() => resetPair(fleet));

  it('is what the fleet campaign asks for: both instances, drained first', () => {
    expect(fleet.haproxyInstances).toHaveLength(2);
    expect(campaign.maintenance).toMatchObject({ adapter: 'haproxy' });
    expect(campaign.maintenance.adapter === 'haproxy' && campaign.maintenance.sockets).toHaveLength(2);
    expect(window.drain?.timeoutMs).toBeGreaterThan(0);
  });

  it('puts the server in maint on both instances, users see 503 through both, and closing returns both to ready', async () => {
    await window.open(server);
    expect(await maintenanceOnEachInstance(target)).toEqual([true, true]);
    for (const instance of fleet.haproxyInstances) {
      expect((await fetch(`${instance.url}/shard/${target.shard}/`)).status).toBe(503);
    }
    expect(await window.isOpen(server)).toBe(true);

    await window.close(server);
    expect(await maintenanceOnEachInstance(target)).toEqual([false, false]);
    for (const instance of fleet.haproxyInstances) {
      expect((await fetch(`${instance.url}/shard/${target.shard}/`)).status).toBe(200);
    }
    expect(await window.isOpen(server)).toBe(false);
  });

  it('does not count a window open on one instance only as open, nor as closed', async () => {
    const [first] = fleet.haproxyInstances;
    if (first === undefined) throw new Error('no HAProxy');
    await haproxyCommand(first.socket, `set server ${target.shard}/${target.name} state maint`);
    expect(await window.isOpen(server)).toBeUndefined();
  });

  it("counts the server's sessions on both instances while it drains", async () => {
    const held = fleet.haproxyInstances.map((instance) =>
      heldRequest(`${instance.url}/shard/${target.shard}/`, 3),
    );
    const drain = window.drain;
    if (drain === undefined) throw new Error('no drain');
    await waitFor('both held requests to reach the server', async () => (await drain.sessions(server)) === 2);
    await drain.begin(server);
    expect(await window.isOpen(server)).toBeUndefined();
    const answers = await Promise.all(held);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(await drain.sessions(server)).toBe(0);
  });
});

/** Resolves once the run's journal holds a record of `step` `event` for `server`. */
async function journaled(
  campaign: EngineCampaign,
  server: string,
  step: string,
  event: string,
): Promise<void> {
  const wanted = (line: string): boolean => {
    const record = JSON.parse(line) as { server?: string; step?: string; event?: string };
    return record.server === server && record.step === step && record.event === event;
  };
  await waitFor(
    `${server} ${step} ${event} in the journal`,
    async () =>
      (await readFile(join(campaign.stateDir, 'journal.jsonl'), 'utf8'))
        .split('\n')
        .some((line) => line !== '' && wanted(line)),
    180_000,
  );
}

/**
 * `dbwave run` of wave 1 with a user's request through HAProxy that holds its session
 * `holdSeconds`, sent as the target's baseline starts: the baseline's samples and the pre-flush
 * take a few seconds, so the request is in flight when the drain begins.
 */
async function runWithHeldRequest(campaign: EngineCampaign, target: FleetServer, holdSeconds: number) {
  const maint = watchMaint(target);
  const running = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
  await journaled(campaign, target.name, 'baseline', 'started');
  const held = heldRequest(target.url, holdSeconds);
  const run = await running.done;
  maint.stop();
  return { run, answer: await held, maintAt: await maint.at };
}

describe('dbwave run drains the server before its window opens', () => {
  beforeEach(async () => {
    await resetPair(fleet);
    await resetFleet(fleet);
  });
  afterAll(async () => {
    await resetPair(fleet);
    await resetFleet(fleet);
  });

  it("waits for a user's long-held request to end before maint, so it is answered, not cut", async () => {
    const { campaign, target } = await pairCampaign('drain-waits', { drainTimeout: '60s' });
    // Ends well before HAProxy's 15 s server timeout.
    const { run, answer, maintAt } = await runWithHeldRequest(campaign, target, 8);

    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(answer.status).toBe(200);
    expect(maintAt.seenAt).toBeGreaterThanOrEqual(answer.endedAt);
    const { records, replay } = await journalOf(campaign);
    expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
    const detail = windowOpened(records, target.name);
    expect(detail).toMatchObject({ drainTimedOut: false, sessionsLeft: 0 });
    expect(detail?.drainMs).toBeGreaterThan(1_000);
  });

  it('goes to maint anyway when the drain times out, and journals and alerts the sessions it left', async () => {
    const { campaign, target } = await pairCampaign('drain-times-out', { drainTimeout: '1s' });
    const { run, answer, maintAt } = await runWithHeldRequest(campaign, target, 14);

    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The held request was still running when the server left: it did not get its answer. Maint
    // cuts it, so its end is seen at about the time maint is set: compare with the poll before.
    expect(maintAt.clearAt).toBeLessThanOrEqual(answer.endedAt);
    expect(answer.status).not.toBe(200);
    const { records } = await journalOf(campaign);
    expect(windowOpened(records, target.name)).toMatchObject({ drainTimedOut: true, sessionsLeft: 1 });
    const alerts = records.filter((record): record is AlertRecord => record.kind === 'alert');
    expect(alerts.map((alert) => alert.message)).toContainEqual(
      expect.stringMatching(/left 1 session\(s\) open: the window opens anyway/),
    );
  });

  it('fails the precheck, touching nothing, when one instance of the pair cannot be reached', async () => {
    const { campaign, target } = await pairCampaign('pair-precheck', {});
    const peer = fleet.haproxyInstances[1]?.socket;
    if (peer === undefined) throw new Error('no second HAProxy');
    await rename(peer, `${peer}.away`);
    try {
      const run = await runWave1(campaign);
      expect(run.code).toBe(1);
    } finally {
      await rename(`${peer}.away`, peer);
    }
    const { records, replay } = await journalOf(campaign);
    expect(replay.servers.get(target.name)?.outcome).toBe('PrecheckFailed');
    expect(replay.servers.get(target.name)?.reason).toMatch(
      /503 window could not be opened.*haproxy-b\.sock/,
    );
    expect(records.some((r) => r.kind === 'step' && r.step === 'window-open')).toBe(false);
    expect(replay.servers.size).toBe(campaign.wave1.length);
    expect(await maintenanceOnEachInstance(target)).toEqual([false, false]);
  });

  it('leaves the server to a person when one instance of the pair goes away mid-window', async () => {
    const { campaign, target } = await pairCampaign('pair-mid-window', {});
    const peer = fleet.haproxyInstances[1]?.socket;
    if (peer === undefined) throw new Error('no second HAProxy');
    const running = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
    try {
      await waitFor(
        'the window to be open on both instances',
        async () => (await maintenanceOnEachInstance(target)).every(Boolean),
        120_000,
      );
      await rename(peer, `${peer}.away`);
      const run = await running.done;
      expect(run.code).toBe(1);
    } finally {
      await rename(`${peer}.away`, peer).catch(() => undefined);
    }
    const { replay } = await journalOf(campaign);
    const state = replay.servers.get(target.name);
    expect(state?.outcome).toBe('NeedsPerson');
    expect(state?.reason).toMatch(
      /window-close.*1 of 2 HAProxy instances.*haproxy-b\.sock.*the window may still be open/,
    );
    // The instance that answered was closed; the one that went away still holds the server.
    expect(await maintenanceOnEachInstance(target)).toEqual([false, true]);
  });
});
