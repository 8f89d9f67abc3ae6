import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { MysqlCampaignLease } from '../../../src/adapters/state/mysql-campaign-lease.js';
import { MysqlJournalStore } from '../../../src/adapters/state/mysql-journal-store.js';
import {
  connectStateServer,
  MysqlStateConnection,
} from '../../../src/adapters/state/mysql-state-connection.js';
import { initStateTables, STATE_SCHEMA_VERSION } from '../../../src/adapters/state/mysql-state-tables.js';
import { FileJournalStore } from '../../../src/engine/journal/file-journal-store.js';
import type { JournalEntry, JournalRecord } from '../../../src/engine/journal/journal-record.js';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { JournalUnwritableError } from '../../../src/engine/journal/journal-unwritable-error.js';
import { CampaignLock } from '../../../src/engine/lock/campaign-lock.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { JournalStore } from '../../../src/engine/ports/journal-store.js';
import { campaignFields, type MysqlStateSettings } from '../../../src/model/campaign-schema.js';
import { FakeClock } from '../../unit/engine/fakes/fake-clock.js';
import {
  createStateStoreAccount,
  newestCachedMariadb,
  type PrivateMariadb,
  startPrivateMariadb,
} from '../support/private-mariadb.js';

/**
 * One suite, two stores: the file journal and the MySQL store (a mariadbd of this file's own,
 * never a fleet server) must give the same records and the same replay for the same appends, and
 * both must stop a writer that lost the campaign. Then what only the MySQL store has: schema
 * versions, leases with fencing tokens, and a store restarted under an append.
 */

const build = newestCachedMariadb();
const skipReason =
  build === undefined
    ? ` (skipped: no MariaDB prefix cached under ${join(new FleetPaths().cache, 'prefixes')}; bring the fleet up once with npm run fleet -- up)`
    : '';
if (skipReason !== '') console.warn(`journal-store-conformance.test.ts${skipReason}`);

/** A real wave's journal (130 records), as entries to append again. */
const FIXTURE = readFileSync(
  join(import.meta.dirname, '..', '..', 'unit', 'engine', 'fixtures', 'journal-before-typed-details.jsonl'),
  'utf8',
);
const ENTRIES: readonly JournalEntry[] = FIXTURE.trim()
  .split('\n')
  .map((line) => {
    const { v: _v, seq: _seq, at: _at, campaign: _campaign, ...entry } = JSON.parse(line) as JournalRecord;
    return entry as JournalEntry;
  });

const PASSWORD = randomBytes(12).toString('hex');
const here = { user: 'dba', host: 'ops-1', pid: process.pid };

let server: PrivateMariadb | undefined;
let folder = '';

function storeSettings(database: string, lease = '30s'): MysqlStateSettings {
  const campaign = campaignFields.shape.state.unwrap().parse({
    store: 'mysql',
    host: '127.0.0.1',
    port: server?.port,
    user: 'dbwave',
    passwordEnv: 'UNUSED',
    database,
    lease,
  });
  if (campaign.store !== 'mysql') throw new Error('not a mysql store');
  return campaign;
}

function connection(store: MysqlStateSettings, clock = systemClock): MysqlStateConnection {
  return new MysqlStateConnection(
    store,
    { user: 'dbwave', password: PASSWORD, connectTimeoutMs: 5_000 },
    clock,
  );
}

async function freshDatabase(): Promise<MysqlStateSettings> {
  const store = storeSettings(`dbwave_${randomBytes(4).toString('hex')}`);
  const admin = await connectStateServer(store, {
    user: 'dbwave',
    password: PASSWORD,
    connectTimeoutMs: 5_000,
  });
  try {
    await initStateTables(admin, store.database);
  } finally {
    await admin.end();
  }
  return store;
}

/** What a store under test offers: a writer holding the campaign, and a way to take it away. */
interface Holder {
  readonly journal: JournalStore;
  /** Another runner takes the campaign over (the first one's lock or lease is gone). */
  takeOver(): Promise<void>;
  close(): Promise<void>;
}

const stores: Record<string, (clock: FakeClock) => Promise<Holder>> = {
  file: async (clock) => {
    const dir = await mkdtemp(join(tmpdir(), 'dbwave-conformance-'));
    const options = {
      stateDir: dir,
      clock,
      identity: here,
      isProcessAlive: () => false,
      heartbeatMs: 60_000,
    };
    const { lock } = await CampaignLock.acquire(options);
    const journal = new FileJournalStore({ stateDir: dir, campaign: 'test', clock, fence: lock });
    return {
      journal,
      takeOver: async () => {
        await rm(join(dir, 'lock.json'));
        await CampaignLock.acquire({ ...options, identity: { ...here, host: 'ops-2' } });
      },
      close: async () => {
        await journal.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  mysql: async (clock) => {
    const store = await freshDatabase();
    const db = connection(store, clock);
    const identity = { runner: 'r1', host: 'ops-1', pid: process.pid, operator: 'dba' };
    const { lease } = await MysqlCampaignLease.acquire(db, 'test', identity, store.lease);
    const journal = new MysqlJournalStore(db, 'test', clock, lease);
    return {
      journal,
      takeOver: async () => {
        // The lease's heartbeat stopped long enough (as after a pause or a partition): it expires.
        await db.query('UPDATE dbwave_lease SET expires = NOW(6) - INTERVAL 1 SECOND WHERE campaign = ?', [
          'test',
        ]);
        const other = connection(store);
        await MysqlCampaignLease.acquire(
          other,
          'test',
          { ...identity, runner: 'r2', host: 'ops-2' },
          store.lease,
        );
      },
      close: async () => {
        await lease.release();
        await db.close();
      },
    };
  },
};

describe.skipIf(build === undefined)('the journal stores', () => {
  beforeAll(async () => {
    if (build === undefined) return;
    folder = await mkdtemp(join(tmpdir(), 'dbwave-state-store-'));
    await startPrivateMariadb({ build, folder, config: ['innodb_flush_log_at_trx_commit=1'] }, (started) => {
      server = started;
    });
    if (server !== undefined) await createStateStoreAccount(server, PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (folder !== '') await rm(folder, { recursive: true, force: true });
  });

  const results: Record<string, readonly JournalRecord[]> = {};

  for (const [kind, open] of Object.entries(stores)) {
    describe(`${kind} store`, () => {
      it('gives back what was appended, in write-ahead order, numbered from 1', async () => {
        const clock = new FakeClock();
        const holder = await open(clock);
        try {
          expect((await holder.journal.read()).records).toEqual([]);
          const appended: JournalRecord[] = [];
          for (const entry of ENTRIES) {
            appended.push(await holder.journal.append(entry));
            clock.advance(250);
          }
          const read = (await holder.journal.read()).records;
          expect(read).toEqual(appended);
          expect(read.map((record) => record.seq)).toEqual(ENTRIES.map((_, index) => index + 1));
          results[kind] = read;
        } finally {
          await holder.close();
        }
      }, 120_000);

      it('keeps order when appends are not awaited one by one', async () => {
        const holder = await open(new FakeClock());
        try {
          const appended = await Promise.all(
            ENTRIES.slice(0, 20).map((entry) => holder.journal.append(entry)),
          );
          expect(appended.map((record) => record.seq)).toEqual(appended.map((_, index) => index + 1));
          expect((await holder.journal.read()).records).toEqual(appended);
        } finally {
          await holder.close();
        }
      });

      it('stops a writer that lost the campaign before it writes anything more', async () => {
        const holder = await open(new FakeClock());
        try {
          await holder.journal.append(ENTRIES[0] as JournalEntry);
          await holder.takeOver();
          const refused = holder.journal.append(ENTRIES[1] as JournalEntry);
          await expect(refused).rejects.toBeInstanceOf(JournalUnwritableError);
          await expect(refused).rejects.toMatchObject({ cause: { code: 'LOCKED' } });
          expect((await holder.journal.read()).records).toHaveLength(1);
        } finally {
          await holder.close();
        }
      });
    });
  }

  it('both stores replay the same wave to the same state', () => {
    expect(results.mysql).toEqual(results.file);
    expect(replayJournal(results.mysql ?? [])).toEqual(replayJournal(results.file ?? []));
    expect(replayJournal(results.file ?? []).servers.size).toBeGreaterThan(0);
  });

  describe('the MySQL store', () => {
    it('is created by state init once, and says so; a second init changes nothing', async () => {
      const store = storeSettings(`dbwave_${randomBytes(4).toString('hex')}`);
      const admin = await connectStateServer(store, {
        user: 'dbwave',
        password: PASSWORD,
        connectTimeoutMs: 5_000,
      });
      try {
        expect(await initStateTables(admin, store.database)).toBe('created');
        expect(await initStateTables(admin, store.database)).toBe('current');
        const [engines] = await admin.query(
          'SELECT DISTINCT ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
          [store.database],
        );
        expect(engines).toEqual([{ engine: 'InnoDB' }]);
        await admin.query('UPDATE dbwave_schema SET version = ? WHERE id = 1', [STATE_SCHEMA_VERSION + 1]);
        await expect(initStateTables(admin, store.database)).rejects.toThrow(/newer than this dbwave's/);
      } finally {
        await admin.end();
      }
    });

    it('refuses a second runner while the lease is live, then gives it a larger token once the lease expired', async () => {
      const store = { ...(await freshDatabase()), lease: 1_000 };
      const db = connection(store);
      const first = await MysqlCampaignLease.acquire(
        db,
        'test',
        { runner: 'phx1', host: 'ops-1', pid: 1, operator: 'alice', purpose: 'run --wave 1' },
        store.lease,
      );
      const second = { runner: 'iad1', host: 'ops-2', pid: 2, operator: 'bob' };
      await expect(MysqlCampaignLease.acquire(db, 'test', second, store.lease)).rejects.toThrow(
        /held in .* by runner phx1 \(alice@ops-1 pid 1, run --wave 1\)/,
      );
      // phx1 stops beating (its process paused): the store's clock expires its lease.
      await db.query('UPDATE dbwave_lease SET expires = NOW(6) - INTERVAL 1 SECOND WHERE runner = ?', [
        'phx1',
      ]);
      const takeover = await MysqlCampaignLease.acquire(db, 'test', second, store.lease);
      expect(takeover.lease.token).toBeGreaterThan(first.lease.token);
      expect(takeover.tookOverFrom.map((lease) => lease.runner)).toEqual(['phx1']);
      // phx1 wakes up: its next append (or check) refuses, naming who holds the campaign now.
      await expect(first.lease.assertHeld()).rejects.toThrow(
        /runner phx1 lost its lease .*runner iad1 \(bob@ops-2 pid 2\) holds it now/,
      );
      await takeover.lease.release();
      await db.close();
    });

    it('lets runners of one wave of run hold leases side by side, never two of one name nor anything else beside them', async () => {
      const store = await freshDatabase();
      const db = connection(store);
      const run = (runner: string, purpose = 'run --wave 2') => ({
        runner,
        host: 'ops-1',
        pid: 1,
        operator: 'alice',
        purpose,
      });
      const phx = await MysqlCampaignLease.acquire(db, 'test', run('phx1'), store.lease);
      const scl = await MysqlCampaignLease.acquire(db, 'test', run('scl2'), store.lease);
      expect(scl.lease.token).toBeGreaterThan(phx.lease.token);
      await expect(MysqlCampaignLease.acquire(db, 'test', run('phx1'), store.lease)).rejects.toThrow(
        /held in .* by runner phx1/,
      );
      await expect(
        MysqlCampaignLease.acquire(db, 'test', run('iad1', 'rollback --wave 2'), store.lease),
      ).rejects.toThrow(/by runner phx1/);
      await expect(
        MysqlCampaignLease.acquire(db, 'test', run('iad1', 'run --wave 3'), store.lease),
      ).rejects.toThrow(/by runner phx1/);
      await phx.lease.assertHeld();
      await scl.lease.assertHeld();
      await phx.lease.release();
      await scl.lease.release();
      await db.close();
    });

    it('renews a lease that expired while nobody took it over (the store was away), and only then', async () => {
      const store = await freshDatabase();
      const db = connection(store);
      const { lease } = await MysqlCampaignLease.acquire(
        db,
        'test',
        { runner: 'r1', host: 'ops-1', pid: 1, operator: 'dba', purpose: 'run --wave 1' },
        store.lease,
      );
      await db.query('UPDATE dbwave_lease SET expires = NOW(6) - INTERVAL 1 SECOND WHERE runner = ?', ['r1']);
      await lease.assertHeld();
      const [renewed] = await db.query<{ expired: number }[]>(
        'SELECT expires <= NOW(6) AS expired FROM dbwave_lease WHERE runner = ?',
        ['r1'],
      );
      expect(Number(renewed?.expired)).toBe(0);
      await lease.release();
      await db.close();
    });

    it('numbers the appends of runners writing at once 1..N, no gap, no duplicate, each runner in its own order', async () => {
      const store = await freshDatabase();
      const runners = ['phx1', 'scl2', 'iad1', 'ams1'];
      const held = await Promise.all(
        runners.map(async (runner) => {
          const db = connection(store);
          const { lease } = await MysqlCampaignLease.acquire(
            db,
            'test',
            { runner, host: 'ops-1', pid: 1, operator: 'dba', purpose: 'run --wave 1' },
            store.lease,
          );
          return { runner, db, lease, journal: new MysqlJournalStore(db, 'test', systemClock, lease) };
        }),
      );
      // Each runner's servers append without waiting for one another, as a runner's wave does.
      const appended = await Promise.all(
        held.map(({ journal }) => Promise.all(ENTRIES.slice(0, 25).map((entry) => journal.append(entry)))),
      );
      const read = (await held[0]?.journal.read())?.records ?? [];
      expect(read.map((record) => record.seq)).toEqual(read.map((_, index) => index + 1));
      expect(read).toHaveLength(runners.length * 25);
      for (const records of appended) {
        const seqs = records.map((record) => record.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(records.map(({ seq: _seq, at: _at, ...entry }) => entry)).toEqual(
          ENTRIES.slice(0, 25).map((entry) => ({ v: 1, campaign: 'test', ...entry })),
        );
      }
      const writers = await held[0]?.db.query<{ runner: string; appended: number }[]>(
        'SELECT runner, COUNT(*) AS appended FROM dbwave_journal WHERE campaign = ? GROUP BY runner ORDER BY runner',
        ['test'],
      );
      expect(writers?.map((row) => [row.runner, Number(row.appended)])).toEqual(
        [...runners].sort().map((runner) => [runner, 25]),
      );
      for (const { lease, db } of held) {
        await lease.release();
        await db.close();
      }
    }, 120_000);

    it("locks only the writer's own lease row: another runner beats and appends while it is held", async () => {
      const store = await freshDatabase();
      const leaseOf = async (runner: string, db: MysqlStateConnection) =>
        (
          await MysqlCampaignLease.acquire(
            db,
            'test',
            { runner, host: 'ops-1', pid: 1, operator: 'dba', purpose: 'run --wave 1' },
            store.lease,
          )
        ).lease;
      const phxDb = connection(store);
      const sclDb = connection(store);
      const phx = await leaseOf('phx1', phxDb);
      const scl = await leaseOf('scl2', sclDb);
      const sclJournal = new MysqlJournalStore(sclDb, 'test', systemClock, scl);
      let release: () => void = () => undefined;
      let fenced: () => void = () => undefined;
      const locked = new Promise<void>((resolve) => {
        fenced = resolve;
      });
      const holding = phxDb.transaction(async (session) => {
        // phx1's fence held open, as in the middle of its claim or append.
        await phx.assertHeldIn(session);
        fenced();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await locked;
      // With every lease row locked by phx1's fence these would wait for it (lock wait timeout).
      await scl.beat();
      await expect(sclJournal.append(ENTRIES[0] as JournalEntry)).resolves.toMatchObject({ seq: 1 });
      release();
      await holding;
      await phx.release();
      await scl.release();
      await phxDb.close();
      await sclDb.close();
    }, 60_000);

    it('waits for a store that restarts under an append, then appends once', async () => {
      const store = await freshDatabase();
      const db = connection(store);
      const { lease } = await MysqlCampaignLease.acquire(
        db,
        'test',
        { runner: 'r1', host: 'ops-1', pid: 1, operator: 'dba' },
        store.lease,
      );
      const journal = new MysqlJournalStore(db, 'test', systemClock, lease);
      await journal.append(ENTRIES[0] as JournalEntry);
      const restarting = server?.restart();
      const appended = journal.append(ENTRIES[1] as JournalEntry);
      await restarting;
      await expect(appended).resolves.toMatchObject({ seq: 2 });
      expect((await journal.read()).records.map((record) => record.seq)).toEqual([1, 2]);
      await lease.release();
      await db.close();
    }, 120_000);
  });
});
