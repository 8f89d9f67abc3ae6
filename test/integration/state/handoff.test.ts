import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { MysqlCampaignLease } from '../../../src/adapters/state/mysql-campaign-lease.js';
import { MysqlJournalStore } from '../../../src/adapters/state/mysql-journal-store.js';
import { MysqlStateConnection } from '../../../src/adapters/state/mysql-state-connection.js';
import { initStateStore } from '../../../src/app/init-state-store.js';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { recordHandoff } from '../../../src/app/record-handoff.js';
import { showStatus } from '../../../src/app/show-status.js';
import { FileJournalStore } from '../../../src/engine/journal/file-journal-store.js';
import { CampaignLock } from '../../../src/engine/lock/campaign-lock.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { JournalStore } from '../../../src/engine/ports/journal-store.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { materialize } from '../../unit/cli/bad-input-case.js';
import { HANDOFF_AT, HANDOFF_OPERATOR, OWNERS } from '../../unit/cli/owners-campaign.js';
import { FakeClock } from '../../unit/engine/fakes/fake-clock.js';
import {
  createStateStoreAccount,
  newestCachedMariadb,
  type PrivateMariadb,
  startPrivateMariadb,
} from '../support/private-mariadb.js';

/**
 * `dbwave handoff` against both stores, through the commands: the MySQL store (a mariadbd of
 * this file's own) takes a hand-off while a runner holds the campaign and appends, and the file
 * store between runs; `status` shows it, a `status --every` broadcast announces it, and the
 * store's password appears nowhere in what the commands print.
 */

const build = newestCachedMariadb();
if (build === undefined)
  console.warn(
    `handoff.test.ts skipped: no MariaDB prefix under ${join(new FleetPaths().cache, 'prefixes')}`,
  );

const PASSWORD = randomBytes(12).toString('hex');
const PASSWORD_ENV = 'DBWAVE_HANDOFF_TEST_STATE_PASSWORD';
const identity = HANDOFF_OPERATOR;
const NOW = HANDOFF_AT;

let server: PrivateMariadb | undefined;
let folder = '';

interface Printed {
  out: string;
  readonly streams: {
    stdout: { write: (text: string) => boolean };
    stderr: { write: (text: string) => boolean };
  };
}
function printed(): Printed {
  const keep = (text: string): boolean => {
    sink.out += text;
    return true;
  };
  const sink: Printed = {
    out: '',
    streams: {
      stdout: { write: (text: string) => keep(text) },
      stderr: { write: (text: string) => keep(text) },
    },
  };
  return sink;
}

/** The corpus's base campaign with owners and `state`, planned into lab.plan.yaml. */
async function campaignIn(state: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const made = await materialize({ name: 'handoff', description: '', files: {}, expect: [] });
  const file = join(made.dir, 'campaign.yaml');
  await writeFile(file, `${await readFile(file, 'utf8')}${OWNERS}${state}`);
  await planCampaign({ campaign: 'campaign.yaml', out: 'lab.plan.yaml' }, printed().streams, made.dir);
  return made;
}

function handoff(dir: string, to: string, note: string, sink = printed()) {
  return recordHandoff(
    { plan: 'lab.plan.yaml', to, note },
    { streams: sink.streams, cwd: dir, clock: new FakeClock(NOW), identity },
  );
}

async function statusJson(
  dir: string,
): Promise<{ inCharge: unknown; handoff: unknown; report: { wave: number } }> {
  const sink = printed();
  await showStatus(
    { plan: 'lab.plan.yaml', json: true },
    { streams: sink.streams, cwd: dir, clock: new FakeClock(NOW) },
  );
  return JSON.parse(sink.out) as { inCharge: unknown; handoff: unknown; report: { wave: number } };
}

/** One `status --every` broadcast (the signal is already aborted: one update, then it returns). */
async function oneBroadcast(dir: string, at: number): Promise<string> {
  const sink = printed();
  const abort = new AbortController();
  abort.abort();
  await showStatus(
    { plan: 'lab.plan.yaml', every: '30m' },
    { streams: sink.streams, cwd: dir, clock: new FakeClock(at), signal: abort.signal, env: {} },
  );
  return sink.out;
}

const waveStarted = { kind: 'wave' as const, wave: 1, event: 'started' as const, servers: [] };

describe.skipIf(build === undefined)('dbwave handoff on the MySQL store', () => {
  beforeAll(async () => {
    if (build === undefined) return;
    folder = await mkdtemp(join(tmpdir(), 'dbwave-handoff-'));
    await startPrivateMariadb({ build, folder, config: ['innodb_flush_log_at_trx_commit=1'] }, (started) => {
      server = started;
    });
    if (server !== undefined) await createStateStoreAccount(server, PASSWORD);
    process.env[PASSWORD_ENV] = PASSWORD;
  }, 180_000);

  afterAll(async () => {
    delete process.env[PASSWORD_ENV];
    await server?.stop();
    if (folder !== '') await rm(folder, { recursive: true, force: true });
  });

  it('is recorded while a runner holds the campaign, between its appends, and shown and announced', async () => {
    const database = `dbwave_${randomBytes(4).toString('hex')}`;
    const { dir, cleanup } = await campaignIn(
      `state: { store: mysql, host: 127.0.0.1, port: ${server?.port}, user: dbwave, passwordEnv: ${PASSWORD_ENV}, database: ${database} }\n`,
    );
    try {
      await initStateStore(
        { plan: 'lab.plan.yaml' },
        { streams: printed().streams, cwd: dir, clock: systemClock },
      );
      // A runner holds the campaign and has started wave 1.
      const settings = campaignFields.shape.state.unwrap().parse({
        store: 'mysql',
        host: '127.0.0.1',
        port: server?.port,
        user: 'dbwave',
        passwordEnv: PASSWORD_ENV,
        database,
      });
      if (settings.store !== 'mysql') throw new Error('not a mysql store');
      const store = new MysqlStateConnection(
        settings,
        { user: 'dbwave', password: PASSWORD, connectTimeoutMs: 5_000 },
        systemClock,
      );
      const runner = { runner: 'phx1', host: 'runner-1', pid: 99, operator: 'ops' };
      const { lease } = await MysqlCampaignLease.acquire(store, 'lab-upgrade', runner, 30_000);
      const runnerJournal: JournalStore = new MysqlJournalStore(store, 'lab-upgrade', systemClock, lease);
      try {
        await runnerJournal.append(waveStarted);

        const sink = printed();
        await expect(handoff(dir, 'bob', 'db12 is slow, ticket DBA-7', sink)).resolves.toBe(0);
        expect(sink.out).toContain(
          'alice handed off to bob at 16:55 PDT (dba@ops-1): "db12 is slow, ticket DBA-7"',
        );
        expect(sink.out).not.toContain(PASSWORD);

        // The runner goes on: its lease still holds, and its next record follows the hand-off.
        const next = await runnerJournal.append({ ...waveStarted, event: 'finished' });
        expect(next.seq).toBe(3);
        const rows = await store.query<{ seq: number; runner: string; token: number }[]>(
          'SELECT seq, runner, token FROM dbwave_journal WHERE campaign = ? ORDER BY seq',
          ['lab-upgrade'],
        );
        expect(rows.map((row) => [Number(row.seq), row.runner, Number(row.token)])).toEqual([
          [1, 'phx1', lease.token],
          [2, 'operator dba@ops-1', 0],
          [3, 'phx1', lease.token],
        ]);
      } finally {
        await lease.release();
        await store.close();
      }

      const status = await statusJson(dir);
      expect(status.report.wave).toBe(1);
      expect(status.inCharge).toMatchObject({ name: 'bob', named: 'alice', contact: '+1 555 0100' });
      expect(status.handoff).toMatchObject({
        kind: 'handoff',
        seq: 2,
        from: 'alice',
        to: 'bob',
        host: 'ops-1',
      });

      const broadcast = await oneBroadcast(dir, NOW + 60_000);
      expect(broadcast).toContain('HANDED OFF: alice handed off to bob');
      expect(broadcast).not.toContain(PASSWORD);
      // A broadcaster started a day later does not announce it again.
      expect(await oneBroadcast(dir, NOW + 86_400_000)).not.toContain('HANDED OFF');
    } finally {
      await cleanup();
    }
  });
});

describe('dbwave handoff on the file store', () => {
  it('is recorded between runs, and the next run appends after it', async () => {
    const { dir, cleanup } = await campaignIn('');
    try {
      await expect(handoff(dir, 'bob', 'over to you')).resolves.toBe(0);
      const stateDir = join(dir, '.dbwave', 'lab-upgrade');
      const clock = new FakeClock(NOW + 1_000);
      const { lock } = await CampaignLock.acquire({ stateDir, clock, identity, isProcessAlive: () => false });
      const journal = new FileJournalStore({ stateDir, campaign: 'lab-upgrade', clock, fence: lock });
      try {
        expect((await journal.append(waveStarted)).seq).toBe(2);
      } finally {
        await journal.close();
        await lock.release();
      }
      const status = await statusJson(dir);
      expect(status.report.wave).toBe(1);
      expect(status.inCharge).toMatchObject({ name: 'bob', named: 'alice' });
      expect(status.handoff).toMatchObject({ seq: 1, to: 'bob', note: 'over to you' });
      expect(await oneBroadcast(dir, NOW + 60_000)).toContain('HANDED OFF: alice handed off to bob');
    } finally {
      await cleanup();
    }
  });
});
