import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { mariadbdPid } from '../../../scripts/fleet/fleet-processes.js';
import { serversState } from '../../../scripts/fleet/haproxy.js';
import type { FleetManifest } from '../../../scripts/fleet/manifest.js';
import { terminate } from '../../../scripts/fleet/processes.js';
import { launchStateStore } from '../../../scripts/fleet/state-store.js';
import { MysqlCampaignLease } from '../../../src/adapters/state/mysql-campaign-lease.js';
import { MysqlJournalStore } from '../../../src/adapters/state/mysql-journal-store.js';
import { MysqlStateConnection } from '../../../src/adapters/state/mysql-state-connection.js';
import type { JournalRecord } from '../../../src/engine/journal/journal-record.js';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { campaignFields, type MysqlStateSettings } from '../../../src/model/campaign-schema.js';
import { type EngineCampaign, engineCampaign, resetFleet, startDbwave } from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

/**
 * Several runners on one wave, on the local fleet, with the fleet's state store (a MariaDB that
 * is not part of the campaign, `stateStore` in fleet.json) as the campaign's store, and the real
 * CLI: limits across runners, a runner SIGKILLed mid-window taken over after its lease, and the
 * store restarted under a running wave. Every check reads the store's rows and HAProxy back.
 */

const LIMITS = { wave: 2, perClass: 1 };

describe('a wave shared by runners through the MySQL store', () => {
  const fleet = loadFleet();
  let folder = '';
  let passwordFile = '';

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dbwave-shared-wave-'));
    passwordFile = join(folder, 'store-password');
    await writeFile(passwordFile, fleet.stateStore.password, { mode: 0o600 });
    await resetFleet(fleet);
  }, 180_000);

  afterAll(async () => {
    await resetFleet(fleet);
    if (folder !== '') await rm(folder, { recursive: true, force: true });
  });

  /** The fleet's campaign under a name of its own, its state in the fleet's store, short leases. */
  async function sharedCampaign(
    name: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ campaign: EngineCampaign; store: MysqlStateSettings; campaignName: string }> {
    const state = {
      store: 'mysql',
      host: fleet.stateStore.host,
      port: fleet.stateStore.port,
      user: fleet.stateStore.user,
      passwordFile,
      database: fleet.stateStore.database,
      // Short, so that a dead runner is taken over within seconds (never a timed assertion).
      lease: '6s',
    };
    // A name of its own: the fleet's store outlives every run of this file.
    const campaignName = `${name}-${randomBytes(3).toString('hex')}`;
    const campaign = await engineCampaign(name, {
      campaign: campaignName,
      state,
      concurrency: LIMITS,
      ...overrides,
    });
    const init = await startDbwave(['state', 'init', campaign.planFile]).done;
    expect(init.code, init.stderr).toBe(0);
    const store = campaignFields.shape.state.unwrap().parse(state);
    if (store.store !== 'mysql') throw new Error('not the mysql store');
    return { campaign, store, campaignName };
  }

  function storeConnection(store: MysqlStateSettings): MysqlStateConnection {
    return new MysqlStateConnection(
      store,
      { user: fleet.stateStore.user, password: fleet.stateStore.password, connectTimeoutMs: 5_000 },
      systemClock,
    );
  }

  async function storeRows(store: MysqlStateSettings, campaignName: string) {
    const connection = storeConnection(store);
    try {
      const { records } = await new MysqlJournalStore(connection, campaignName, systemClock).read();
      const writers = await connection.query<{ seq: number; runner: string }[]>(
        'SELECT seq, runner FROM dbwave_journal WHERE campaign = ? ORDER BY seq',
        [campaignName],
      );
      const leases = await connection.query<{ runner: string }[]>(
        'SELECT runner FROM dbwave_lease WHERE campaign = ?',
        [campaignName],
      );
      const claims = await connection.query<{ server: string; runner: string; state: string }[]>(
        'SELECT server, runner, state FROM dbwave_claim WHERE campaign = ? ORDER BY server',
        [campaignName],
      );
      return { records, writers, leases, claims };
    } finally {
      await connection.close();
    }
  }

  function wave(args: readonly string[], campaign: EngineCampaign, runner: string) {
    return startDbwave([
      'run',
      campaign.planFile,
      '--wave',
      '1',
      '--yes',
      '--ignore-date',
      '--runner',
      runner,
      // Each runner is "another machine": its own local dir for command output.
      '--state-dir',
      join(campaign.stateDir, runner),
      ...args,
    ]);
  }

  it('two runners share the wave; one SIGKILLed mid-window is taken over after its lease; limits held throughout', async () => {
    const { campaign, store, campaignName } = await sharedCampaign('shared');
    const [first] = campaign.wave1;
    if (first === undefined) throw new Error('wave 1 is empty');

    // Runner a claims its share (one server) first; runner b, with the whole wave, joins.
    const a = wave(['--only', `name=${first.name}`], campaign, 'a');
    await a.waitForLine(/precheck started/);
    const b = wave([], campaign, 'b');
    await a.waitForLine(/shutdown started/);
    a.child.kill('SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');

    // From any machine, while b runs: every runner, its lease, its servers, who runs it.
    const status = await startDbwave(['status', campaign.planFile, '--wave', '1', '--json']).done;
    expect(status.code, status.stderr).toBe(0);
    const runners = (
      JSON.parse(status.stdout) as {
        runners: { runner: string; servers: string[]; owner: { user: string } }[];
      }
    ).runners;
    expect(runners.map((runner) => runner.runner)).toContain('b');
    expect(runners.flatMap((runner) => runner.servers)).toContain(first.name);
    expect(runners.every((runner) => runner.owner.user.length > 0)).toBe(true);

    const done = await b.done;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`took over ${first.name} from runner a \\(token \\d+`));

    const { records, writers, leases, claims } = await storeRows(store, campaignName);
    const replay = replayJournal(records);
    for (const target of campaign.wave1) {
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      // Nothing upgraded twice: one upgrade started per server in the whole journal.
      expect(stepsStarted(records, target.name, 'upgrade')).toBe(1);
    }
    // The killed server's records come from both runners: a before the kill, b after.
    const writerOf = new Map(writers.map((row) => [Number(row.seq), row.runner]));
    const firstWriters = new Set(
      records
        .filter((record) => 'server' in record && record.server === first.name)
        .map((record) => writerOf.get(record.seq)),
    );
    expect(firstWriters).toEqual(new Set(['a', 'b']));
    expect(claims.map((claim) => claim.state)).toEqual(campaign.wave1.map(() => 'succeeded'));
    expect(leases).toEqual([]);
    // The runners together filled the wave (a's server in flight while b ran another), never more.
    expect(expectLimitsHeld(records, fleet)).toBe(LIMITS.wave);
    await expectWindowsClosed(fleet, campaign);
  }, 900_000);

  it("unlock removes a gone runner's stale lease, and refuses a fresh one", async () => {
    const { campaign, store, campaignName } = await sharedCampaign('unlock');
    const connection = storeConnection(store);
    try {
      const { lease } = await MysqlCampaignLease.acquire(
        connection,
        campaignName,
        { runner: 'iad1', host: 'ops-iad', pid: 4242, operator: 'bob', purpose: 'run --wave 1' },
        store.lease,
      );
      const fresh = await startDbwave(['unlock', campaign.planFile, '--runner', 'iad1', '--force']).done;
      expect(fresh.code, fresh.stderr).toBe(3);
      expect(fresh.stderr).toMatch(/runner iad1's lease is fresh \(bob@ops-iad pid 4242/);
      const unnamed = await startDbwave(['unlock', campaign.planFile, '--force']).done;
      expect(unnamed.code).toBe(2);
      expect(unnamed.stderr).toMatch(/--runner NAME .*runners: iad1 \(bob@ops-iad pid 4242, lease live\)/);
      // Its process stops beating (a host that died): two missed heartbeats make it stale.
      await lease.release();
      await connection.query(
        `INSERT INTO dbwave_lease (campaign, runner, token, host, pid, operator, purpose, started, heartbeat, expires)
         VALUES (?, 'iad1', ?, 'ops-iad', 4242, 'bob', 'run --wave 1', NOW(6), NOW(6) - INTERVAL 5 SECOND, NOW(6) + INTERVAL 1 SECOND)`,
        [campaignName, lease.token],
      );
      const stale = await startDbwave(['unlock', campaign.planFile, '--runner', 'iad1', '--force']).done;
      expect(stale.code, stale.stderr).toBe(0);
      expect(stale.stdout).toMatch(/removed the lease of runner iad1 \(bob@ops-iad pid 4242, token \d+/);
      expect(
        await connection.query('SELECT runner FROM dbwave_lease WHERE campaign = ?', [campaignName]),
      ).toEqual([]);
      await expect(lease.assertHeld()).rejects.toThrow(/runner iad1 lost its lease/);
    } finally {
      await connection.close();
    }
  }, 120_000);

  it('the store restarted mid-wave makes the runner pause and go on, never guess', async () => {
    const { campaign, store, campaignName } = await sharedCampaign('store-restart');
    await resetFleet(fleet);
    const run = wave([], campaign, 'phx1');
    await run.waitForLine(/window-open succeeded/);
    await restartStateStore(fleet);
    const done = await run.done;
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const { records, claims } = await storeRows(store, campaignName);
    expect(records.map((record) => record.seq)).toEqual(records.map((_, index) => index + 1));
    const replay = replayJournal(records);
    for (const target of campaign.wave1) {
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      expect(stepsStarted(records, target.name, 'upgrade')).toBe(1);
    }
    expect(claims.map((claim) => claim.state)).toEqual(campaign.wave1.map(() => 'succeeded'));
    await expectWindowsClosed(fleet, campaign);
  }, 900_000);
  it('refuses a canary stage its runners would skip, says the way out, and writes nothing', async () => {
    const waves = [
      { date: '2026-11-23', size: 3 },
      { date: '2026-11-24', size: 'rest' },
    ];
    // A canary outside any replication cluster: a primary with its replica in the wave cannot be one.
    const picked = await engineCampaign('shared-canary-pick', { waves });
    const canary = picked.wave1.find((server) => server.cluster === undefined)?.name;
    if (canary === undefined) throw new Error('wave 1 has no server outside a replication cluster');
    const { campaign, store, campaignName } = await sharedCampaign('shared-canary', {
      waves,
      canary: { servers: [canary], bake: '30s' },
    });

    const run = await wave([], campaign, 'phx1').done;
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stderr).toContain(`wave 1 has a canary stage (${canary}, bake 30s)`);
    expect(run.stderr).toContain('Nothing was started');
    expect(run.stderr).toContain(`--wave 1 --only name=${canary}   # the canaries alone`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const rows = await storeRows(store, campaignName);
    expect(rows.records).toEqual([]);
    expect(rows.claims).toEqual([]);
    expect(rows.leases).toEqual([]);
  }, 300_000);
});

function stepsStarted(records: readonly JournalRecord[], server: string, step: string): number {
  return records.filter(
    (record) =>
      record.kind === 'step' &&
      record.server === server &&
      record.step === step &&
      record.event === 'started',
  ).length;
}

/**
 * From the journal rows in seq order: a server is in flight from its first step record to its
 * outcome record (whichever runner wrote them). At no point more than the wave's limit, more
 * than one of a class, or two of one replication cluster. Returns the most in flight at once.
 */
function expectLimitsHeld(records: readonly JournalRecord[], fleet: FleetManifest): number {
  const inFlight = new Set<string>();
  const serverOf = (name: string) => fleet.servers.find((server) => server.name === name);
  let most = 0;
  for (const record of records) {
    if (record.kind === 'step') inFlight.add(record.server);
    if (record.kind === 'outcome') inFlight.delete(record.server);
    const now = [...inFlight].map((name) => serverOf(name));
    most = Math.max(most, now.length);
    expect(now.length, `seq ${record.seq}: ${[...inFlight].join(', ')} in flight`).toBeLessThanOrEqual(
      LIMITS.wave,
    );
    const classes = now.map((server) => server?.class);
    expect(new Set(classes).size, `seq ${record.seq}: two of one class`).toBe(classes.length);
    const clusters = now.flatMap((server) => (server?.cluster === undefined ? [] : [server.cluster]));
    expect(new Set(clusters).size, `seq ${record.seq}: two of one cluster`).toBe(clusters.length);
  }
  return most;
}

/** HAProxy's own state, read back from both instances: no server of the wave left in maintenance. */
async function expectWindowsClosed(fleet: FleetManifest, campaign: EngineCampaign): Promise<void> {
  for (const instance of fleet.haproxyInstances) {
    const states = await serversState(instance.socket);
    for (const target of campaign.wave1) {
      expect(states.find((state) => state.server === target.name)).toMatchObject({ maintenance: false });
    }
  }
}

/** Stops the fleet's state store (clean shutdown) and starts it again on its datadir. */
async function restartStateStore(fleet: FleetManifest): Promise<void> {
  const paths = new FleetPaths(fleet.root);
  const pid = mariadbdPid(paths.stateStore);
  if (pid === undefined) throw new Error('the fleet has no state store running');
  await terminate(pid, 60_000);
  const root = await launchStateStore(paths.stateStore, fleet.builds.to.prefix);
  await root.end();
}
