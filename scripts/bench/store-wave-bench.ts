import { setTimeout as sleep } from 'node:timers/promises';
import { MysqlCampaignLease } from '../../src/adapters/state/mysql-campaign-lease.js';
import { MysqlJournalStore } from '../../src/adapters/state/mysql-journal-store.js';
import type { MysqlStateConnection } from '../../src/adapters/state/mysql-state-connection.js';
import { MysqlWaveClaims } from '../../src/adapters/state/mysql-wave-claims.js';
import type { JournalEntry } from '../../src/engine/journal/journal-record.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import type { ClaimRequest } from '../../src/engine/ports/wave-claims.js';
import type { SchedulableServer } from '../../src/engine/wave/wave-scheduler.js';
import type { MysqlStateSettings } from '../../src/model/campaign-schema.js';

/**
 * A wave shared by several runners, on the store alone: each runner holds its lease (purpose
 * `run --wave 1`, as runners of one wave do), claims its servers through the real claim code
 * (MysqlWaveClaims: one transaction per claim, the wave's row lock, decideClaim), writes each
 * claimed server's journal records through the real MysqlJournalStore, one after the other as a
 * server's steps do, and settles the claim. No server is touched: what is measured is the store.
 * The limits are checked afterwards from the claim rows' own times (the store's clock).
 */

/** What the store bench offers this part: a fresh store database and a connection to it. */
export interface BenchStore {
  fresh(): Promise<MysqlStateSettings>;
  connect(store: MysqlStateSettings): MysqlStateConnection;
}

/** A simulated server: pairs of one cluster (replica first, then its primary), three classes. */
export interface SimulatedServer extends SchedulableServer {
  readonly cluster: string;
  readonly role: 'primary' | 'replica';
}

export function simulatedServers(count: number): SimulatedServer[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `sim${String(index + 1).padStart(5, '0')}`,
    class: `class-${index % 3}`,
    cluster: `cluster-${Math.floor(index / 2)}`,
    role: index % 2 === 0 ? 'replica' : 'primary',
  }));
}

export interface SharedWaveShape {
  readonly runners: number;
  /** Servers each runner keeps in flight (the wave's limit is runners x this). */
  readonly inFlight: number;
  /** Per class, across runners. */
  readonly perClass: number;
  /** The records one server writes (none: claims only). */
  readonly recordsOf: (server: SimulatedServer) => readonly JournalEntry[];
  /** How long a runner told to wait waits before it asks again (or until one of its servers ends), ms. */
  readonly retryMs: number;
}

export interface SharedWaveResult {
  readonly servers: number;
  readonly claims: number;
  /** Claim transactions, those that answered "wait" included. */
  readonly claimTransactions: number;
  readonly rows: number;
  readonly ms: number;
  /** The most servers in flight at once, from the claim rows: whole wave, one class, one cluster. */
  readonly maxInFlight: number;
  readonly maxPerClass: number;
  readonly maxPerCluster: number;
  /** Primaries claimed before one of their replicas settled (must be 0). */
  readonly primariesEarly: number;
  readonly store: MysqlStateSettings;
}

const CAMPAIGN = 'wave';

/** Runs one wave of `servers` simulated servers with `shape.runners` runners on a fresh store. */
export async function sharedWave(
  bench: BenchStore,
  servers: readonly SimulatedServer[],
  shape: SharedWaveShape,
): Promise<SharedWaveResult> {
  const store = await bench.fresh();
  const connections = Array.from({ length: shape.runners }, () => bench.connect(store));
  const leases: MysqlCampaignLease[] = [];
  try {
    for (const [index, connection] of connections.entries()) {
      const { lease } = await MysqlCampaignLease.acquire(
        connection,
        CAMPAIGN,
        {
          runner: `runner-${index}`,
          host: `bench-${index}`,
          pid: 1000 + index,
          operator: 'bench',
          purpose: 'run --wave 1',
        },
        store.lease,
      );
      leases.push(lease);
    }
    const limits = { wave: shape.runners * shape.inFlight, perClass: () => shape.perClass };
    const started = Date.now();
    // Every runner ends before the leases are released, so that a runner's error is the one
    // reported, not the lost leases of the others that it would cause.
    const settled = await Promise.allSettled(
      leases.map((lease, index) => {
        const connection = connections[index] as MysqlStateConnection;
        const journal = new MysqlJournalStore(connection, CAMPAIGN, systemClock, lease);
        const claims = new MysqlWaveClaims(
          connection,
          lease,
          1,
          new MysqlJournalStore(connection, CAMPAIGN, systemClock),
          shape.retryMs,
        );
        // A runner's share, as --only datacenter=... gives it: whole clusters, dealt round.
        const share = servers.filter(
          (server) => Number(server.cluster.slice('cluster-'.length)) % shape.runners === index,
        );
        const request: ClaimRequest<SimulatedServer> = {
          candidates: share,
          wave: servers,
          earlierFinished: new Map(),
          limits,
          failureBudget: 0,
          waveSize: servers.length,
        };
        return runShare(claims, journal, request, shape);
      }),
    );
    const ms = Date.now() - started;
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const counts = settled.map((outcome) => (outcome as PromiseFulfilledResult<ShareCounts>).value);
    const checked = await limitsFromRows(connections[0] as MysqlStateConnection, servers);
    return {
      servers: servers.length,
      claims: counts.reduce((sum, count) => sum + count.claims, 0),
      claimTransactions: counts.reduce((sum, count) => sum + count.transactions, 0),
      rows: counts.reduce((sum, count) => sum + count.rows, 0),
      ms,
      ...checked,
      store,
    };
  } finally {
    await Promise.all(leases.map((lease) => lease.release()));
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

interface ShareCounts {
  readonly claims: number;
  readonly transactions: number;
  readonly rows: number;
}

/**
 * One runner's loop, as the wave runner's: claim while it has a free slot; a claimed server
 * writes its records and settles in the background; told to wait, it asks again after
 * `retryMs` or as soon as one of its servers ends; done when the store says its share is.
 */
async function runShare(
  claims: MysqlWaveClaims,
  journal: MysqlJournalStore,
  request: ClaimRequest<SimulatedServer>,
  shape: SharedWaveShape,
): Promise<ShareCounts> {
  const running = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | undefined;
  let ended: () => void = () => undefined;
  let oneEnded = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const counts = { claims: 0, transactions: 0, rows: 0 } satisfies ShareCounts;
  for (;;) {
    if (failure !== undefined) break;
    if (running.size >= shape.inFlight) {
      await oneEnded;
      continue;
    }
    const claim = await claims.claim(request);
    counts.transactions += 1;
    if (claim.kind === 'done' || claim.kind === 'halt') break;
    if (claim.kind === 'wait') {
      await Promise.race([oneEnded, sleep(shape.retryMs)]);
      continue;
    }
    counts.claims += 1;
    const server = claim.server;
    const work = (async () => {
      for (const entry of shape.recordsOf(server)) {
        await journal.append(entry);
        counts.rows += 1;
      }
      await claims.settle(server.name, 'succeeded');
    })()
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        running.delete(work);
        ended();
        oneEnded = new Promise<void>((resolve) => {
          ended = resolve;
        });
      });
    running.add(work);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure.error;
  return counts;
}

/**
 * The limits as the claim rows show them: each row's claimed_at and settled_at are the store's
 * clock inside the claim's and the settle's transactions, and a claim decided on a settle only
 * after that settle committed, so the most rows open at one instant is at most what any claim saw.
 */
async function limitsFromRows(
  connection: MysqlStateConnection,
  servers: readonly SimulatedServer[],
): Promise<Pick<SharedWaveResult, 'maxInFlight' | 'maxPerClass' | 'maxPerCluster' | 'primariesEarly'>> {
  const rows = await connection.query<
    { server: string; state: string; claimed_at: string; settled_at: string | null }[]
  >('SELECT server, state, claimed_at, settled_at FROM dbwave_claim WHERE campaign = ? AND wave = 1', [
    CAMPAIGN,
  ]);
  const byName = new Map(servers.map((server) => [server.name, server]));
  const unsettled = rows.filter((row) => row.state !== 'succeeded' || row.settled_at === null);
  if (rows.length !== servers.length || unsettled.length > 0)
    throw new Error(
      `${rows.length} claim rows for ${servers.length} servers, ${unsettled.length} not succeeded`,
    );
  // Ends before starts at one instant: a claim that saw a settle came after it.
  const events = rows
    .flatMap((row) => [
      { at: row.claimed_at, delta: 1, server: row.server },
      { at: row.settled_at as string, delta: -1, server: row.server },
    ])
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.delta - b.delta));
  const open = new Map<string, number>();
  let maxInFlight = 0;
  let maxPerClass = 0;
  let maxPerCluster = 0;
  const bump = (key: string, delta: number): number => {
    const now = (open.get(key) ?? 0) + delta;
    open.set(key, now);
    return now;
  };
  for (const event of events) {
    const server = byName.get(event.server) as SimulatedServer;
    maxInFlight = Math.max(maxInFlight, bump('wave', event.delta));
    maxPerClass = Math.max(maxPerClass, bump(`class ${server.class}`, event.delta));
    maxPerCluster = Math.max(maxPerCluster, bump(`cluster ${server.cluster}`, event.delta));
  }
  const rowOf = new Map(rows.map((row) => [row.server, row]));
  const primariesEarly = servers.filter((server) => {
    if (server.role !== 'primary') return false;
    const claimed = rowOf.get(server.name)?.claimed_at ?? '';
    return servers.some(
      (replica) =>
        replica.cluster === server.cluster &&
        replica.role === 'replica' &&
        (rowOf.get(replica.name)?.settled_at ?? '') >= claimed,
    );
  }).length;
  return { maxInFlight, maxPerClass, maxPerCluster, primariesEarly };
}
