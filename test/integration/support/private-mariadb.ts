import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { FleetPaths, type HostPaths } from '../../../scripts/fleet/fleet-paths.js';
import { renderStandaloneMyCnf } from '../../../scripts/fleet/host-config.js';
import { installDatadir, rootConnection } from '../../../scripts/fleet/mariadb-host.js';
import { firstFreePort } from '../../../scripts/fleet/ports.js';
import { isAlive, isOurs, sleep, spawnDetached, terminate } from '../../../scripts/fleet/processes.js';

/**
 * A mariadbd of a test's own, for what the shared fleet must not be changed for (TLS,
 * `require_secure_transport`, special accounts): a fresh datadir in the test's temp folder,
 * 127.0.0.1 on a free high port, the binaries the fleet unpacked into its cache
 * (`.fleet/cache/prefixes/<version>`, see scripts/fleet/mariadb-packages.ts). Set up with the
 * fleet's own helpers: its datadir is installed the way a fleet host's is.
 */

/** A MariaDB build the fleet cached: `<prefix>/usr/sbin/mariadbd`. */
export interface CachedMariadb {
  readonly version: string;
  readonly prefix: string;
}

/** The newest complete prefix in the fleet's cache, or undefined when no fleet was ever brought up. */
export function newestCachedMariadb(fleet: FleetPaths = new FleetPaths()): CachedMariadb | undefined {
  const folder = join(fleet.cache, 'prefixes');
  const versions = existsSync(folder)
    ? readdirSync(folder).filter(
        (version) =>
          existsSync(join(folder, version, '.complete')) &&
          existsSync(join(folder, version, 'usr', 'sbin', 'mariadbd')),
      )
    : [];
  const newest = versions.sort(compareVersions).at(-1);
  return newest === undefined ? undefined : { version: newest, prefix: fleet.prefix(newest) };
}

function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export interface PrivateMariadbOptions {
  readonly build: CachedMariadb;
  /** Everything of the server lives under `<folder>/hosts/private`. */
  readonly folder: string;
  /** More `[mariadbd]` lines, e.g. `ssl_cert=...`. */
  readonly config: readonly string[];
  /** How long installing the datadir and starting may take together. */
  readonly startLimitMs?: number;
}

export interface PrivateMariadb {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly paths: HostPaths;
  /** root over the unix socket (no TLS needed there); the caller ends it. */
  root(): Promise<Connection>;
  /** Stops the server (SIGTERM, SIGKILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same datadir and port; resolves once root answers. */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';

/** A free port in the unprivileged range the fleet does not use, picked at random to avoid neighbours. */
async function freeHighPort(): Promise<number> {
  const base = 40_000 + Math.floor(Math.random() * 20_000);
  return firstFreePort(
    [HOST],
    Array.from({ length: 50 }, (_, index) => base + index * 7),
  );
}

function myCnf(options: PrivateMariadbOptions, paths: HostPaths, port: number): string {
  return renderStandaloneMyCnf({
    prefix: options.build.prefix,
    paths,
    address: HOST,
    port,
    settings: [
      'innodb_buffer_pool_size=16M',
      'innodb_log_file_size=8M',
      'innodb_flush_log_at_trx_commit=2',
      'max_connections=20',
      ...options.config,
    ],
  });
}

function errorLogTail(paths: HostPaths): string {
  try {
    return readFileSync(paths.errorLog, 'utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '(no error log)';
  }
}

/**
 * Installs a datadir and starts mariadbd; resolves once root answers on the socket. `onStarted`
 * gets the handle as soon as the process exists, so a caller's cleanup can stop it even when
 * the wait for it fails.
 */
export async function startPrivateMariadb(
  options: PrivateMariadbOptions,
  onStarted: (server: PrivateMariadb) => void,
): Promise<PrivateMariadb> {
  const limitMs = options.startLimitMs ?? 120_000;
  const deadline = Date.now() + limitMs;
  const paths = new FleetPaths(options.folder).host('private');
  await mkdir(paths.home, { recursive: true });
  await mkdir(paths.tmpDir, { recursive: true });
  const port = await freeHighPort();
  await writeFile(paths.myCnf, myCnf(options, paths, port));
  await installDatadir(paths, options.build.prefix);

  const spawn = (): number =>
    spawnDetached(
      join(options.build.prefix, 'usr', 'sbin', 'mariadbd'),
      [`--defaults-file=${paths.myCnf}`],
      paths.stdoutLog,
    );
  let pid = spawn();
  const stop = async (): Promise<void> => {
    // Only the process we started, and only while it still runs our my.cnf.
    if (isOurs(pid, paths.myCnf)) await terminate(pid, 30_000);
  };
  const server: PrivateMariadb = {
    host: HOST,
    port,
    paths,
    root: () => rootConnection(paths, 10_000),
    stop,
    restart: async () => {
      await stop();
      pid = spawn();
      await answering(pid, paths, Date.now() + limitMs, limitMs);
    },
  };
  onStarted(server);
  await answering(pid, paths, deadline, limitMs);
  return server;
}

/** Waits until root answers on the socket, or the process dies, or the deadline passes. */
async function answering(pid: number, paths: HostPaths, deadline: number, limitMs: number): Promise<void> {
  for (;;) {
    if (!isAlive(pid))
      throw new Error(`mariadbd exited at start; its error log ends:\n${errorLogTail(paths)}`);
    try {
      const connection = await rootConnection(paths, 0);
      await connection.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `mariadbd did not answer within ${limitMs} ms; its error log ends:\n${errorLogTail(paths)}`,
          {
            cause: error,
          },
        );
      }
      await sleep(200);
    }
  }
}

/** The account a state-store test or bench connects as: dbwave@127.0.0.1, every right on `dbwave_%` databases. */
export async function createStateStoreAccount(server: PrivateMariadb, password: string): Promise<void> {
  const root = await server.root();
  try {
    await root.query(`CREATE USER 'dbwave'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await root.query("GRANT ALL ON `dbwave\\_%`.* TO 'dbwave'@'127.0.0.1'");
  } finally {
    await root.end();
  }
}
