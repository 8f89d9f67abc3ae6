import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlJournalStore } from '../../../src/adapters/state/mysql-journal-store.js';
import { MysqlStateConnection } from '../../../src/adapters/state/mysql-state-connection.js';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { engineCampaign, resetFleet, runWave1, startDbwave } from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';
import { newestCachedMariadb, type PrivateMariadb, startPrivateMariadb } from '../support/private-mariadb.js';

/**
 * `dbwave run` on the local fleet with its state in a MySQL store (a mariadbd of this file's
 * own): `state init`, a wave upgraded with every journal record a row written by the named
 * runner, nothing in the local state dir but command output, and `status` reading the store.
 */

const PASSWORD = randomBytes(12).toString('hex');
const DATABASE = 'dbwave_e2e';

describe('a wave run with the MySQL state store', () => {
  const fleet = loadFleet();
  let server: PrivateMariadb | undefined;
  let folder = '';

  beforeAll(async () => {
    const build = newestCachedMariadb();
    if (build === undefined)
      throw new Error('no MariaDB build cached: the integration setup brings the fleet up');
    folder = await mkdtemp(join(tmpdir(), 'dbwave-store-e2e-'));
    await startPrivateMariadb({ build, folder, config: ['innodb_flush_log_at_trx_commit=1'] }, (started) => {
      server = started;
    });
    const root = await server?.root();
    await root?.query(`CREATE USER 'dbwave'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`);
    await root?.query(`GRANT ALL ON \`${DATABASE}\`.* TO 'dbwave'@'127.0.0.1'`);
    await root?.end();
    await resetFleet(fleet);
  }, 180_000);

  afterAll(async () => {
    await resetFleet(fleet);
    await server?.stop();
    if (folder !== '') await rm(folder, { recursive: true, force: true });
  });

  it('initialises the store, runs the wave through it, and shows its runner in status', async () => {
    const passwordFile = join(folder, 'store-password');
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    const state = {
      store: 'mysql',
      host: '127.0.0.1',
      port: server?.port,
      user: 'dbwave',
      passwordFile,
      database: DATABASE,
      lease: '10s',
    };
    const campaign = await engineCampaign('mysql-store', { state });

    const init = await startDbwave(['state', 'init', campaign.planFile]).done;
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/created dbwave's state tables \(schema version 2\)/);
    const again = await startDbwave(['state', 'init', campaign.planFile]).done;
    expect(again.stdout).toMatch(/already at schema version 2; nothing to do/);

    const result = await runWave1(campaign, ['--state-dir', campaign.stateDir, '--runner', 'phx1']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/journal: dbwave@127\.0\.0\.1:\d+\/dbwave_e2e \(table dbwave_journal/);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    // The local state dir holds command output only: the journal and the lock are in the store.
    expect(existsSync(join(campaign.stateDir, 'journal.jsonl'))).toBe(false);
    expect(existsSync(join(campaign.stateDir, 'lock.json'))).toBe(false);

    const settings = campaignFields.shape.state.unwrap().parse(state);
    if (settings.store !== 'mysql') throw new Error('not the mysql store');
    const store = new MysqlStateConnection(
      settings,
      { user: 'dbwave', password: PASSWORD, connectTimeoutMs: 5_000 },
      systemClock,
    );
    try {
      const campaignName =
        (await store.query<{ campaign: string }[]>('SELECT DISTINCT campaign FROM dbwave_journal'))[0]
          ?.campaign ?? '';
      const { records } = await new MysqlJournalStore(store, campaignName, systemClock).read();
      const replay = replayJournal(records);
      for (const target of campaign.wave1) {
        expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      }
      const writers = await store.query<{ runner: string; tokens: number }[]>(
        'SELECT runner, COUNT(DISTINCT token) AS tokens FROM dbwave_journal GROUP BY runner',
      );
      expect(writers.map((row) => ({ runner: row.runner, tokens: Number(row.tokens) }))).toEqual([
        { runner: 'phx1', tokens: 1 },
      ]);
      expect(await store.query('SELECT runner FROM dbwave_lease')).toEqual([]);
    } finally {
      await store.close();
    }

    const status = await startDbwave(['status', campaign.planFile, '--wave', '1', '--json']).done;
    expect(status.code, status.stderr).toBe(0);
    const shown = JSON.parse(status.stdout) as {
      runners: unknown[];
      lock: { state: string };
      report: { servers: { outcome: string }[] };
    };
    expect(shown.runners).toEqual([]);
    expect(shown.lock.state).toBe('free');
    expect(shown.report.servers.map((s) => s.outcome)).toEqual(campaign.wave1.map(() => 'Upgraded'));
    const text = await startDbwave(['status', campaign.planFile, '--wave', '1']).done;
    expect(text.stdout).toMatch(/Runners: none \(no dbwave run holds this campaign\)/);
  }, 600_000);
});
