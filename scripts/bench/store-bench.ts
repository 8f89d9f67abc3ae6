import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MysqlCampaignLease, type RunnerIdentity } from '../../src/adapters/state/mysql-campaign-lease.js';
import { MysqlJournalStore } from '../../src/adapters/state/mysql-journal-store.js';
import { connectStateServer, MysqlStateConnection } from '../../src/adapters/state/mysql-state-connection.js';
import { initStateTables } from '../../src/adapters/state/mysql-state-tables.js';
import type { JournalEntry, JournalRecord } from '../../src/engine/journal/journal-record.js';
import { replayJournal } from '../../src/engine/journal/journal-replay.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import { campaignFields, type MysqlStateSettings } from '../../src/model/campaign-schema.js';
import {
  createStateStoreAccount,
  newestCachedMariadb,
  type PrivateMariadb,
  startPrivateMariadb,
} from '../../test/integration/support/private-mariadb.js';
import type { TargetResult } from './bench-report.js';
import {
  type BenchStore,
  type SharedWaveResult,
  type SimulatedServer,
  sharedWave,
  simulatedServers,
} from './store-wave-bench.js';

/**
 * `npm run bench -- --only store`: what one MySQL state store sustains, on a real mariadbd of its
 * own (the fleet's cached build, `innodb_flush_log_at_trx_commit=1` as docs/engine.md asks of a
 * store), through dbwave's own store code (MysqlJournalStore, MysqlCampaignLease):
 *
 * - journal rows per second with 1, 4 and 16 concurrent appenders, two ways: each appender a
 *   runner of its own campaign (one store, many campaigns), and all of them appending to one
 *   campaign under one lease (several runners on one wave: they contend for the seq row lock);
 * - lease heartbeats per second, 1 and 16 runners beating at once;
 * - claims per second: 1, 4 and 16 runners of one wave claiming its servers at once through the
 *   real claim code (MysqlWaveClaims: one transaction per claim under the wave's row lock), each
 *   settling a server as soon as it claimed it, with the wave's limits checked from the claim rows;
 * - a wave of N simulated servers (default 10,000) run by 16 runners with 10 servers in flight
 *   each: every server claimed, its real records (26, from a real wave's journal) written one after
 *   the other through MysqlJournalStore, its claim settled; rows, bytes (JSON and InnoDB's data +
 *   index), the time it took, the claims, the limits from the rows, and the time to read the
 *   journal back and replay it.
 */

/** A real wave's journal (130 records, 5 servers) whose per-server records are replicated. */
const FIXTURE = join(
  import.meta.dirname,
  '..',
  '..',
  'test',
  'unit',
  'engine',
  'fixtures',
  'journal-before-typed-details.jsonl',
);

export const STORE_APPENDERS = [1, 4, 16] as const;
export const WAVE_SERVERS = 10_000;
/** The simulated wave's runners and what each keeps in flight: 16 runners x 10 servers. */
const WAVE_RUNNERS = 16;
const WAVE_IN_FLIGHT = 10;
const WAVE_PER_CLASS = 64;
/** The claims part: a wave of this many servers, each runner keeping this many in flight. */
const CLAIM_SERVERS = 1_000;
const CLAIM_IN_FLIGHT = 4;
/** How long each rate is measured for. */
const RATE_WINDOW_MS = 5_000;
const PASSWORD = randomBytes(12).toString('hex');

/** One measured part of the store bench. */
export interface StorePartResult {
  readonly part: string;
  readonly figures: Record<string, number>;
}

function fixtureEntries(): JournalEntry[] {
  return readFileSync(FIXTURE, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { v: _v, seq: _seq, at: _at, campaign: _campaign, ...entry } = JSON.parse(line) as JournalRecord;
      return entry as JournalEntry;
    });
}

/** The records one simulated server writes: those of a real wave's server, renamed, in their order. */
function serverRecords(): (server: SimulatedServer) => readonly JournalEntry[] {
  const entries = fixtureEntries().filter((entry) => 'server' in entry && entry.server !== undefined);
  const names = [...new Set(entries.map((entry) => ('server' in entry ? entry.server : '')))];
  const templates = names.map((name) =>
    entries.filter((entry) => 'server' in entry && entry.server === name),
  );
  return (server) => {
    const template = templates[Number(server.name.slice(3)) % templates.length] ?? [];
    return template.map((entry) => ({ ...entry, server: server.name }) as JournalEntry);
  };
}

class StoreUnderBench implements BenchStore {
  private databases = 0;

  constructor(private readonly server: PrivateMariadb) {}

  /** A fresh, initialised store database. */
  async fresh(): Promise<MysqlStateSettings> {
    this.databases += 1;
    const parsed = campaignFields.shape.state.unwrap().parse({
      store: 'mysql',
      host: '127.0.0.1',
      port: this.server.port,
      user: 'dbwave',
      passwordEnv: 'UNUSED',
      database: `dbwave_bench_${this.databases}`,
    });
    if (parsed.store !== 'mysql') throw new Error('not a mysql store');
    const admin = await connectStateServer(parsed, this.login());
    try {
      await initStateTables(admin, parsed.database);
    } finally {
      await admin.end();
    }
    return parsed;
  }

  connect(store: MysqlStateSettings): MysqlStateConnection {
    return new MysqlStateConnection(store, this.login(), systemClock);
  }

  private login() {
    return { user: 'dbwave', password: PASSWORD, connectTimeoutMs: 5_000 };
  }
}

function runner(index: number): RunnerIdentity {
  return { runner: `runner-${index}`, host: `bench-${index}`, pid: 1000 + index, operator: 'bench' };
}

/** Appends `entries` in turn until the window closes; returns how many it appended. */
async function appendFor(journal: MysqlJournalStore, entries: readonly JournalEntry[], until: number) {
  let count = 0;
  while (Date.now() < until) {
    await journal.append(entries[count % entries.length] as JournalEntry);
    count += 1;
  }
  return count;
}

/** Rows per second with `appenders` runners, each holding its own campaign's lease. */
async function separateCampaigns(bench: StoreUnderBench, appenders: number): Promise<number> {
  const store = await bench.fresh();
  const entries = fixtureEntries();
  const connections = Array.from({ length: appenders }, () => bench.connect(store));
  const leases = await Promise.all(
    connections.map((connection, index) =>
      MysqlCampaignLease.acquire(connection, `campaign-${index}`, runner(index), store.lease),
    ),
  );
  try {
    const until = Date.now() + RATE_WINDOW_MS;
    const started = Date.now();
    const counts = await Promise.all(
      leases.map(({ lease }, index) =>
        appendFor(
          new MysqlJournalStore(
            connections[index] as MysqlStateConnection,
            `campaign-${index}`,
            systemClock,
            lease,
          ),
          entries,
          until,
        ),
      ),
    );
    return (counts.reduce((sum, count) => sum + count, 0) * 1000) / (Date.now() - started);
  } finally {
    await Promise.all(leases.map(({ lease }) => lease.release()));
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

/**
 * `appenders` connections appending to one campaign under one lease: each append checks the
 * lease and takes the next seq under its row lock, so they queue on one campaign's journal as
 * several runners of one wave do.
 */
async function oneCampaign(
  bench: StoreUnderBench,
  appenders: number,
  entries: readonly JournalEntry[],
  limit: { readonly untilMs?: number },
): Promise<{ rows: number; ms: number; store: MysqlStateSettings }> {
  const store = await bench.fresh();
  const connections = Array.from({ length: appenders }, () => bench.connect(store));
  const { lease } = await MysqlCampaignLease.acquire(
    connections[0] as MysqlStateConnection,
    'wave',
    runner(0),
    store.lease,
  );
  try {
    const started = Date.now();
    let next = 0;
    const until = limit.untilMs === undefined ? Number.POSITIVE_INFINITY : started + limit.untilMs;
    const counts = await Promise.all(
      connections.map(async (connection) => {
        const journal = new MysqlJournalStore(connection, 'wave', systemClock, lease);
        let count = 0;
        // A bounded run takes the entries once, in order across appenders; a timed one cycles.
        while (Date.now() < until) {
          const index = next++;
          if (limit.untilMs === undefined && index >= entries.length) break;
          await journal.append(entries[index % entries.length] as JournalEntry);
          count += 1;
        }
        return count;
      }),
    );
    return { rows: counts.reduce((sum, count) => sum + count, 0), ms: Date.now() - started, store };
  } finally {
    await lease.release();
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

/** Heartbeats per second with `runners` leases (each its own campaign) beating back to back. */
async function heartbeats(bench: StoreUnderBench, runners: number): Promise<number> {
  const store = await bench.fresh();
  const connections = Array.from({ length: runners }, () => bench.connect(store));
  const leases = await Promise.all(
    connections.map((connection, index) =>
      MysqlCampaignLease.acquire(connection, `campaign-${index}`, runner(index), store.lease),
    ),
  );
  try {
    const started = Date.now();
    const until = started + RATE_WINDOW_MS;
    const counts = await Promise.all(
      leases.map(async ({ lease }) => {
        let count = 0;
        while (Date.now() < until) {
          await lease.beat();
          count += 1;
        }
        return count;
      }),
    );
    return (counts.reduce((sum, count) => sum + count, 0) * 1000) / (Date.now() - started);
  } finally {
    await Promise.all(leases.map(({ lease }) => lease.release()));
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

/** Claims per second with `runners` runners of one wave, each settling a server as soon as it claimed it. */
async function claimRate(bench: StoreUnderBench, runners: number) {
  const wave = await sharedWave(bench, simulatedServers(CLAIM_SERVERS), {
    runners,
    inFlight: CLAIM_IN_FLIGHT,
    perClass: Math.max(1, Math.floor((runners * CLAIM_IN_FLIGHT) / 2)),
    recordsOf: () => [],
    retryMs: 20,
  });
  return { ...wave, perSecond: (wave.claims * 1000) / wave.ms };
}

/** Whether the limits held in a shared wave, from its claim rows. */
function limitsHeld(wave: SharedWaveResult, limit: number, perClass: number): boolean {
  return (
    wave.maxInFlight <= limit &&
    wave.maxPerClass <= perClass &&
    wave.maxPerCluster <= 1 &&
    wave.primariesEarly === 0
  );
}

/** The simulated wave: 16 runners, 10 servers in flight each; then sized, read back and replayed. */
async function simulatedWaveCost(bench: StoreUnderBench, servers: number, log: (line: string) => void) {
  log(
    `  wave of ${servers} simulated servers: ${WAVE_RUNNERS} runners x ${WAVE_IN_FLIGHT} in flight, every server claimed, its records written, settled`,
  );
  const fleet = simulatedServers(servers);
  const ran = await sharedWave(bench, fleet, {
    runners: WAVE_RUNNERS,
    inFlight: WAVE_IN_FLIGHT,
    perClass: WAVE_PER_CLASS,
    recordsOf: serverRecords(),
    retryMs: 100,
  });
  const connection = bench.connect(ran.store);
  try {
    await connection.query('ANALYZE TABLE dbwave_journal, dbwave_claim');
    const [size] = await connection.query<{ json: number; innodb: number }[]>(
      `SELECT (SELECT SUM(LENGTH(record)) FROM dbwave_journal WHERE campaign = 'wave') AS json,
              (SELECT SUM(data_length + index_length) FROM information_schema.TABLES
                 WHERE table_schema = DATABASE() AND table_name LIKE 'dbwave_%') AS innodb`,
    );
    const reader = new MysqlJournalStore(connection, 'wave', systemClock);
    const started = Date.now();
    const { records } = await reader.read();
    const readMs = Date.now() - started;
    const replay = replayJournal(records);
    const replayMs = Date.now() - started;
    if (records.length !== ran.rows || replay.servers.size !== servers)
      throw new Error(`read back ${records.length} records of ${replay.servers.size} servers`);
    return {
      rows: ran.rows,
      appendMs: ran.ms,
      claims: ran.claims,
      claimTransactions: ran.claimTransactions,
      maxInFlight: ran.maxInFlight,
      maxPerClass: ran.maxPerClass,
      maxPerCluster: ran.maxPerCluster,
      primariesEarly: ran.primariesEarly,
      limitsHeld: limitsHeld(ran, WAVE_RUNNERS * WAVE_IN_FLIGHT, WAVE_PER_CLASS) ? 1 : 0,
      jsonBytes: Number(size?.json ?? 0),
      innodbBytes: Number(size?.innodb ?? 0),
      readMs,
      replayMs,
    };
  } finally {
    await connection.close();
  }
}

/**
 * What one store must sustain, in rows per second: 16 runners with 10 servers in flight each, a
 * server writing a real wave's ~26 records over its ~10 minutes. The bench passes at ten times it.
 */
const NEEDED_ROWS_PER_S = (16 * 10 * 26) / 600;
const HEADROOM = 10;
/** Reading back and replaying a 10,000-server wave's journal: what `status` and a resumed run pay. */
const REPLAY_LIMIT_MS = 10_000;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Runs the store bench on a mariadbd of its own; `servers` sizes the simulated wave. */
export async function storeBench(log: (line: string) => void, servers = WAVE_SERVERS): Promise<TargetResult> {
  const build = newestCachedMariadb();
  if (build === undefined)
    throw new Error('no MariaDB build cached: bring the fleet up once (npm run fleet -- up)');
  const folder = await mkdtemp(join(tmpdir(), 'dbwave-store-bench-'));
  let server: PrivateMariadb | undefined;
  try {
    await startPrivateMariadb(
      { build, folder, config: ['innodb_flush_log_at_trx_commit=1', 'max_connections=64'] },
      (started) => {
        server = started;
      },
    );
    if (server === undefined) throw new Error('mariadbd did not start');
    await createStateStoreAccount(server, PASSWORD);
    const bench = new StoreUnderBench(server);
    const parts: StorePartResult[] = [];
    const separate: Record<string, number> = {};
    const shared: Record<string, number> = {};
    for (const appenders of STORE_APPENDERS) {
      separate[`appenders${appenders}`] = await separateCampaigns(bench, appenders);
      const one = await oneCampaign(bench, appenders, fixtureEntries(), { untilMs: RATE_WINDOW_MS });
      shared[`appenders${appenders}`] = (one.rows * 1000) / one.ms;
      log(
        `  ${appenders} appenders: ${separate[`appenders${appenders}`]?.toFixed(0)} rows/s on their own campaigns, ${shared[`appenders${appenders}`]?.toFixed(0)} rows/s on one campaign`,
      );
    }
    parts.push({ part: 'journal-rows-per-s-own-campaigns', figures: separate });
    parts.push({ part: 'journal-rows-per-s-one-campaign', figures: shared });
    const beats = { runners1: await heartbeats(bench, 1), runners16: await heartbeats(bench, 16) };
    log(
      `  heartbeats: ${beats.runners1.toFixed(0)}/s with 1 runner, ${beats.runners16.toFixed(0)}/s with 16`,
    );
    parts.push({ part: 'lease-heartbeats-per-s', figures: beats });
    const claimRuns = [];
    for (const runners of STORE_APPENDERS) {
      const run = await claimRate(bench, runners);
      claimRuns.push({ runners, ...run });
      log(
        `  ${runners} runners claiming: ${run.perSecond.toFixed(0)} claims/s (${run.claimTransactions} claim transactions for ${run.claims} servers), most in flight ${run.maxInFlight} of ${runners * CLAIM_IN_FLIGHT}, per class ${run.maxPerClass}, per cluster ${run.maxPerCluster}, primaries early ${run.primariesEarly}`,
      );
    }
    const claimsHeld = claimRuns.every((run) =>
      limitsHeld(
        run,
        run.runners * CLAIM_IN_FLIGHT,
        Math.max(1, Math.floor((run.runners * CLAIM_IN_FLIGHT) / 2)),
      ),
    );
    parts.push({
      part: 'claims-per-s',
      figures: Object.fromEntries([
        ...claimRuns.map((run) => [`runners${run.runners}`, run.perSecond]),
        ...claimRuns.map((run) => [`transactions${run.runners}`, run.claimTransactions]),
        ['limitsHeld', claimsHeld ? 1 : 0],
      ]),
    });
    const wave = await simulatedWaveCost(bench, servers, log);
    parts.push({ part: 'simulated-wave', figures: { servers, ...wave } });
    const rates = (figures: Record<string, number>): string =>
      STORE_APPENDERS.map((count) => (figures[`appenders${count}`] ?? 0).toFixed(0)).join(' / ');
    const waveS = wave.appendMs / 1000;
    return {
      id: '6',
      target: `MySQL state store: 16 appenders on one campaign >= ${(NEEDED_ROWS_PER_S * HEADROOM).toFixed(0)} journal rows/s (${HEADROOM}x what 16 runners x 10 servers write), the wave's limits held with 1-16 runners claiming, a ${servers.toLocaleString('en')}-server wave read and replayed < ${REPLAY_LIMIT_MS / 1000} s; rows/s with ${STORE_APPENDERS.join(', ')} appenders, heartbeats/s, claims/s, the wave's rows, time and bytes`,
      measured: `rows/s (1 / 4 / 16 appenders): own campaigns ${rates(separate)}, one campaign ${rates(shared)}; heartbeats/s ${beats.runners1.toFixed(0)} (1 runner), ${beats.runners16.toFixed(0)} (16); claims/s (1 / 4 / 16 runners, ${CLAIM_SERVERS.toLocaleString('en')}-server wave) ${claimRuns.map((run) => run.perSecond.toFixed(0)).join(' / ')}, limits ${claimsHeld ? 'held' : 'EXCEEDED'}; ${servers.toLocaleString('en')}-server wave by ${WAVE_RUNNERS} runners x ${WAVE_IN_FLIGHT}: ${wave.rows.toLocaleString('en')} rows in ${waveS.toFixed(0)} s (${(wave.rows / waveS).toFixed(0)} rows/s, ${(wave.claims / waveS).toFixed(1)} claims/s, ${wave.claimTransactions.toLocaleString('en')} claim transactions), limits ${wave.limitsHeld === 1 ? 'held' : 'EXCEEDED'} (most in flight ${wave.maxInFlight}), ${mib(wave.jsonBytes)} JSON, ${mib(wave.innodbBytes)} InnoDB, read ${(wave.readMs / 1000).toFixed(1)} s + replay ${((wave.replayMs - wave.readMs) / 1000).toFixed(1)} s; mariadbd ${build.version}, innodb_flush_log_at_trx_commit=1`,
      verdict:
        (shared.appenders16 ?? 0) >= NEEDED_ROWS_PER_S * HEADROOM &&
        wave.replayMs <= REPLAY_LIMIT_MS &&
        claimsHeld &&
        wave.limitsHeld === 1
          ? 'pass'
          : 'fail',
      data: parts,
    };
  } finally {
    await server?.stop();
    await rm(folder, { recursive: true, force: true });
  }
}
