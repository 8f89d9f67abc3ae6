import { join } from 'node:path';
import { type Connection, createConnection } from 'mysql2/promise';
import { run, runOk } from './exec.js';
import type { HostPaths } from './fleet-paths.js';
import type { HostSpec } from './host-plan.js';
import { sleep } from './processes.js';

/**
 * One host's MariaDB: a fresh datadir, started through the host's own fleetctl (the same path
 * a campaign takes), then provisioned with dbwave's user, the shard's database and a small
 * sysbench schema so that load, dirty pages and shutdown work are real.
 */

export const SYSBENCH_DB = 'sbtest';
export const SYSBENCH_TABLES = 2;
export const SYSBENCH_ROWS = 16_000;
/** Where the long-transaction fault writes its uncommitted rows. */
export const FAULT_DB = 'fleet_fault';

export async function installDatadir(paths: HostPaths, prefix: string): Promise<void> {
  await runOk(join(prefix, 'usr', 'bin', 'mariadb-install-db'), [
    `--defaults-file=${paths.myCnf}`,
    `--basedir=${join(prefix, 'usr')}`,
    `--datadir=${paths.dataDir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--user=root',
  ]);
}

export async function fleetctl(paths: HostPaths, subcommand: string): Promise<string> {
  return runOk(paths.fleetctl, [subcommand], { timeoutMs: 300_000 });
}

/** root over the unix socket: only the host side can use it, like a DBA on the box. */
export async function rootConnection(paths: HostPaths, timeoutMs = 60_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await createConnection({ socketPath: paths.socket, user: 'root', multipleStatements: true });
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`mariadb on ${paths.home} does not answer`, { cause: error });
      await sleep(100);
    }
  }
}

export interface ProvisionOptions {
  readonly user: string;
  readonly password: string;
  /** Databases to create beyond the host's own shard (a replica's copy of its primary's). */
  readonly alsoDatabases: readonly string[];
}

function shardTableSql(database: string): string {
  return (
    `CREATE DATABASE IF NOT EXISTS \`${database}\`;` +
    `CREATE TABLE IF NOT EXISTS \`${database}\`.requests (` +
    ' id BIGINT AUTO_INCREMENT PRIMARY KEY, path VARCHAR(255) NOT NULL,' +
    ' served_by VARCHAR(64) NOT NULL, at DATETIME(3) NOT NULL DEFAULT NOW(3)) ENGINE=InnoDB;'
  );
}

export async function provision(host: HostSpec, paths: HostPaths, options: ProvisionOptions): Promise<void> {
  const connection = await rootConnection(paths);
  try {
    // Nothing of the set-up goes to the binlog: a replica gets its own copy of everything and
    // then replicates only what users write afterwards.
    await connection.query('SET SESSION sql_log_bin = 0');
    await connection.query(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?`, [
      options.user,
      options.password,
    ]);
    await connection.query(`GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION`, [options.user]);
    for (const database of [host.database, ...options.alsoDatabases]) {
      await connection.query(shardTableSql(database));
    }
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${SYSBENCH_DB}; CREATE DATABASE IF NOT EXISTS ${FAULT_DB};` +
        `CREATE TABLE IF NOT EXISTS ${FAULT_DB}.ballast (id BIGINT AUTO_INCREMENT PRIMARY KEY,` +
        ' pad CHAR(200) NOT NULL) ENGINE=InnoDB;',
    );
  } finally {
    await connection.end();
  }
}

export function sysbenchArgs(host: HostSpec, user: string, password: string): string[] {
  return [
    'oltp_read_write',
    '--db-driver=mysql',
    `--mysql-host=${host.address}`,
    `--mysql-port=${host.mysqlPort}`,
    `--mysql-user=${user}`,
    `--mysql-password=${password}`,
    `--mysql-db=${SYSBENCH_DB}`,
    `--tables=${SYSBENCH_TABLES}`,
    `--table-size=${SYSBENCH_ROWS}`,
  ];
}

export async function prepareSysbench(host: HostSpec, user: string, password: string): Promise<void> {
  await runOk('sysbench', [...sysbenchArgs(host, user, password), 'prepare']);
}

/** The replica copies its primary from the primary's current position, with GTIDs. */
export async function startReplication(
  replica: HostPaths,
  primary: HostSpec,
  user: string,
  password: string,
): Promise<void> {
  const connection = await rootConnection(replica);
  try {
    await connection.query(
      'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?,' +
        ' MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = slave_pos',
      [primary.address, primary.mysqlPort, user, password],
    );
    await connection.query('START SLAVE');
  } finally {
    await connection.end();
  }
}

/** Clean shutdown through fleetctl, then wait for the process to go (bounded). */
export async function stopAndWait(paths: HostPaths, timeoutMs: number): Promise<boolean> {
  await fleetctl(paths, 'stop');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await run(paths.fleetctl, ['running'])).code !== 0) return true;
    await sleep(100);
  }
  return false;
}
