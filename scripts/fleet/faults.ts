import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { FleetPaths, HostPaths } from './fleet-paths.js';
import { faultPid, mariadbdPid, sshdPid } from './fleet-processes.js';
import { FAULT_DB, fleetctl, rootConnection } from './mariadb-host.js';
import { signal, sleep, spawnDetached, terminate, waitForExit } from './processes.js';
import { startSshd } from './sshd.js';

/**
 * Real faults for tests and demos. Each is recorded as a file under the host's faults/ dir, so
 * that `heal` undoes exactly what was done, and fleetctl (which reads the markers at `start`)
 * makes mariadbd itself fail rather than faking an outcome.
 */
export const FAULT_KINDS = [
  'start-fails-on-new',
  'small-buffer-pool',
  'error-log-noise',
  'ssh-down',
  'long-transaction',
  'hang',
  'crash',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(value: string): value is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(value);
}

/** Rows the long transaction holds uncommitted: a few seconds of rollback at shutdown. */
export const LONG_TRANSACTION_ROWS = 800_000;

interface FaultRecord {
  readonly kind: FaultKind;
  readonly at: string;
  readonly pid?: number;
}

async function record(host: HostPaths, kind: FaultKind, pid?: number): Promise<void> {
  await mkdir(host.faults, { recursive: true });
  const entry: FaultRecord = { kind, at: new Date().toISOString(), ...(pid === undefined ? {} : { pid }) };
  await writeFile(join(host.faults, kind), `${JSON.stringify(entry)}\n`);
}

function requireRunning(host: HostPaths, name: string, kind: FaultKind): number {
  const pid = mariadbdPid(host);
  if (pid === undefined) throw new Error(`${kind} needs ${name}'s mariadbd running`);
  return pid;
}

/** Holds a big uncommitted INSERT open; dies with the connection when the server goes away. */
async function startLongTransaction(host: HostPaths, name: string): Promise<number> {
  requireRunning(host, name, 'long-transaction');
  const client = join(host.current, 'usr', 'bin', 'mariadb');
  const sql =
    `BEGIN; INSERT INTO ${FAULT_DB}.ballast (pad) SELECT REPEAT('x', 200) FROM seq_1_to_${LONG_TRANSACTION_ROWS};` +
    ' SELECT SLEEP(86400);';
  const pid = spawnDetached(
    client,
    [`--defaults-file=${host.clientCnf}`, '--skip-reconnect', FAULT_DB, '-e', sql],
    join(host.faults, 'long-transaction.log'),
  );
  // Return only once the rows are really held, so a shutdown right after has them to undo.
  const connection = await rootConnection(host);
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const [rows] = await connection.query<RowDataPacket[]>(
        'SELECT COALESCE(MAX(trx_rows_modified), 0) AS n FROM information_schema.innodb_trx',
      );
      const held = Number(rows[0]?.n ?? 0);
      if (held >= LONG_TRANSACTION_ROWS) return pid;
      if (await waitForExit(pid, 0))
        throw new Error('the long-transaction client exited; see its log under faults/');
      await sleep(200);
    }
    throw new Error('the long transaction did not reach its size within 120s');
  } finally {
    await connection.end();
  }
}

/** The smallest buffer pool InnoDB takes with 16 KiB pages: what `small-buffer-pool` shrinks to. */
const SMALL_BUFFER_POOL_BYTES = 6 * 1024 * 1024;

/** Resizes the running server's buffer pool online (MariaDB resizes it in place, no restart). */
async function resizeBufferPool(host: HostPaths, bytes: number): Promise<void> {
  const connection = await rootConnection(host);
  try {
    await connection.query('SET GLOBAL innodb_buffer_pool_size = ?', [bytes]);
  } finally {
    await connection.end();
  }
}

/**
 * A crash, as mysqld_safe or systemd would see one: a committed write (so InnoDB has redo past
 * its checkpoint to recover), SIGKILL, then a start as the supervisor would do it. The error
 * log gets the next start's "InnoDB: Starting crash recovery", and Uptime starts again.
 */
async function crashAndRestart(host: HostPaths, name: string): Promise<number> {
  const pid = requireRunning(host, name, 'crash');
  const connection = await rootConnection(host);
  try {
    await connection.query(`INSERT INTO ${FAULT_DB}.ballast (pad) VALUES ('crash')`);
  } finally {
    await connection.end();
  }
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`${name}'s mariadbd (pid ${pid}) outlived SIGKILL`);
  await fleetctl(host, 'start');
  (await rootConnection(host)).destroy();
  return pid;
}

export async function injectFault(paths: FleetPaths, name: string, kind: FaultKind): Promise<string> {
  const host = paths.host(name);
  if (!existsSync(host.home)) throw new Error(`no host ${name} in ${paths.hostsDir}`);
  switch (kind) {
    case 'start-fails-on-new':
      await record(host, kind);
      return `${name}: mariadbd will refuse to start from the newer prefix`;
    case 'small-buffer-pool': {
      requireRunning(host, name, kind);
      await record(host, kind);
      await resizeBufferPool(host, SMALL_BUFFER_POOL_BYTES);
      return `${name}: the running mariadbd's buffer pool shrunk to 6 MiB (slow: the working set no longer fits, reads go to disk)`;
    }
    case 'error-log-noise':
      await record(host, kind);
      return `${name}: [ERROR] lines will appear in its error log at its next start`;
    case 'ssh-down': {
      const pid = sshdPid(host);
      await record(host, kind, pid);
      if (pid !== undefined) await terminate(pid, 5_000);
      return `${name}: sshd stopped`;
    }
    case 'long-transaction': {
      const pid = await startLongTransaction(host, name);
      await record(host, kind, pid);
      return `${name}: a connection holds ${LONG_TRANSACTION_ROWS} uncommitted rows (client pid ${pid})`;
    }
    case 'crash': {
      const pid = await crashAndRestart(host, name);
      await record(host, kind, pid);
      return `${name}: mariadbd (pid ${pid}) killed with SIGKILL and started again (crash recovery)`;
    }
    case 'hang': {
      const pid = requireRunning(host, name, kind);
      await record(host, kind, pid);
      signal(pid, 'SIGSTOP');
      return `${name}: mariadbd (pid ${pid}) stopped with SIGSTOP`;
    }
  }
}

export async function activeFaults(host: HostPaths): Promise<FaultKind[]> {
  if (!existsSync(host.faults)) return [];
  return (await readdir(host.faults)).filter(isFaultKind);
}

/** Undoes every fault recorded for the host; returns what it undid. */
export async function healHost(paths: FleetPaths, name: string): Promise<FaultKind[]> {
  const host = paths.host(name);
  if (!existsSync(host.home)) throw new Error(`no host ${name} in ${paths.hostsDir}`);
  const faults = await activeFaults(host);
  for (const kind of faults) {
    if (kind === 'hang') {
      const pid = faultPid(host, kind, `--defaults-file=${host.myCnf}`);
      if (pid !== undefined) signal(pid, 'SIGCONT');
    }
    if (kind === 'long-transaction') {
      // The server rolls the transaction back once its client is gone.
      const pid = faultPid(host, kind, host.clientCnf);
      if (pid !== undefined) await terminate(pid, 5_000);
    }
    if (kind === 'small-buffer-pool' && mariadbdPid(host) !== undefined) {
      // Back to the size its my.cnf gives it (a restart would too).
      await resizeBufferPool(host, configuredBufferPool(await readFile(host.myCnf, 'utf8')));
    }
    if (kind === 'ssh-down' && sshdPid(host) === undefined) {
      // Same config, same host key: known_hosts stays valid.
      await startSshd(host);
    }
    await rm(join(host.faults, kind), { force: true });
  }
  return faults;
}

/** The buffer pool the host's my.cnf gives it (`innodb_buffer_pool_size=32M`), in bytes. */
function configuredBufferPool(myCnf: string): number {
  const match = /^innodb_buffer_pool_size=(\d+)([KMG])$/m.exec(myCnf);
  if (match === null) throw new Error('my.cnf sets no innodb_buffer_pool_size');
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2] as 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}
