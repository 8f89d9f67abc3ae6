import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../exec.js';
import { FleetPaths } from '../fleet-paths.js';
import { mariadbdPid } from '../fleet-processes.js';
import { type HostSpec, MYSQL_PORT } from '../host-plan.js';
import { type FleetServer, readManifest } from '../manifest.js';
import { sysbenchArgs } from '../mariadb-host.js';
import { sleep } from '../processes.js';

/**
 * Real traffic for a bounded time: sysbench oltp_read_write on every running server (dirty
 * pages, InnoDB rates and shutdown work become real) and HTTP requests through HAProxy to every
 * shard (users see 200s, 503s and 502s). Stops by itself and prints a summary.
 */

export interface LoadOptions {
  readonly seconds: number;
  readonly log: (line: string) => void;
  readonly paths?: FleetPaths;
}

export const MAX_LOAD_SECONDS = 3_600;
/** A pause between one shard's requests: about 20 requests a second per shard, bounded. */
const HTTP_PAUSE_MS = 50;

/** A pause before sysbench starts again on a server that went away (restarting, upgrading). */
const RECONNECT_PAUSE_MS = 1_000;

interface SysbenchResult {
  readonly server: string;
  readonly transactions: number;
  readonly tps: number;
  /** Runs that ended before the deadline (the server restarted or refused): each one started again. */
  readonly restarts: number;
  readonly ok: boolean;
  readonly detail: string;
}

interface SysbenchRun {
  readonly transactions: number;
  readonly ok: boolean;
  readonly detail: string;
}

async function sysbenchOnce(
  host: HostSpec,
  user: string,
  password: string,
  seconds: number,
): Promise<SysbenchRun> {
  const result = await run(
    'sysbench',
    [
      ...sysbenchArgs(host, user, password),
      `--time=${seconds}`,
      '--threads=1',
      '--report-interval=0',
      // Every row equally likely: the working set is the whole tables (larger than the smallest
      // buffer pool, smaller than every class's), not the few hot pages sysbench's default skew
      // touches, so a server whose buffer pool is too small really reads from disk.
      '--rand-type=uniform',
      'run',
    ],
    // A hung server would keep sysbench in a query past --time: the timeout bounds it.
    { timeoutMs: (seconds + 30) * 1000 },
  ).catch((error: Error) => ({ code: -1, stdout: '', stderr: error.message }));
  const match = /transactions:\s+(\d+)\s+\(/.exec(result.stdout);
  return {
    transactions: Number(match?.[1] ?? 0),
    ok: result.code === 0,
    detail:
      result.code === 0
        ? ''
        : ((result.stderr.trim() || result.stdout.trim()).split('\n').slice(-1)[0] ?? ''),
  };
}

/**
 * sysbench on one server until the deadline. sysbench does not reconnect: when the server goes
 * away (an upgrade restarts it) the run ends, and it starts again once the server answers, so a
 * restarted server carries the same load as one that never stopped.
 */
async function sysbenchUntil(
  server: FleetServer,
  user: string,
  password: string,
  until: number,
): Promise<SysbenchResult> {
  const host = { address: server.host, mysqlPort: server.port || MYSQL_PORT } as HostSpec;
  const started = Date.now();
  let transactions = 0;
  let restarts = 0;
  let last: SysbenchRun = { transactions: 0, ok: true, detail: '' };
  for (;;) {
    const seconds = Math.floor((until - Date.now()) / 1000);
    if (seconds < 1) break;
    last = await sysbenchOnce(host, user, password, seconds);
    transactions += last.transactions;
    if (last.ok) continue;
    restarts += 1;
    await sleep(RECONNECT_PAUSE_MS);
  }
  const elapsed = Math.max(1, (Date.now() - started) / 1000);
  return {
    server: server.name,
    transactions,
    tps: transactions / elapsed,
    restarts,
    ok: last.ok,
    detail: last.detail,
  };
}

async function httpLoop(url: string, until: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  while (Date.now() < until) {
    const status = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return String(response.status);
      },
      () => 'error',
    );
    counts.set(status, (counts.get(status) ?? 0) + 1);
    await sleep(HTTP_PAUSE_MS);
  }
  return counts;
}

export async function load(options: LoadOptions): Promise<void> {
  const { seconds, log } = options;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_LOAD_SECONDS) {
    throw new Error(`--seconds must be a whole number from 1 to ${MAX_LOAD_SECONDS}`);
  }
  const paths = options.paths ?? new FleetPaths();
  const manifest = await readManifest(paths.fleetJson);
  await mkdir(paths.loadDir, { recursive: true });
  // So that `down` can stop a load in progress (its sysbench children go with it).
  const pidFile = join(paths.loadDir, 'load.pid');
  await writeFile(pidFile, `${process.pid}\n`);
  const running = manifest.servers.filter((server) => mariadbdPid(paths.host(server.name)) !== undefined);
  log(
    `load for ${seconds}s: sysbench on ${running.map((server) => server.name).join(', ') || 'no server'}, ` +
      `HTTP to ${manifest.servers.length} shards`,
  );
  const until = Date.now() + seconds * 1000;
  try {
    const [bench, http] = await Promise.all([
      Promise.all(
        running.map((server) => sysbenchUntil(server, manifest.mysql.user, manifest.mysql.password, until)),
      ),
      Promise.all(manifest.servers.map((server) => httpLoop(server.url, until))),
    ]);
    for (const result of bench) {
      log(
        `  ${result.server}: sysbench ${result.transactions} transactions (${result.tps.toFixed(1)}/s)` +
          (result.restarts === 0 ? '' : `, started again ${result.restarts} time(s)`) +
          (result.ok ? '' : ` FAILED: ${result.detail}`),
      );
    }
    manifest.servers.forEach((server, index) => {
      const counts = http[index] ?? new Map<string, number>();
      const summary = [...counts.entries()].map(([status, count]) => `${status}: ${count}`).join(', ');
      log(`  ${server.shard}: HTTP ${summary || 'no request'}`);
    });
  } finally {
    await rm(pidFile, { force: true });
  }
}
