import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import type { FleetPaths, HostPaths } from './fleet-paths.js';
import { renderStandaloneMyCnf } from './host-config.js';
import { FLEET_NET, MYSQL_PORT } from './host-plan.js';
import { installDatadir, rootConnection } from './mariadb-host.js';
import { spawnDetached } from './processes.js';

/**
 * The fleet's state store: one more MariaDB server that is not part of the campaign, where a
 * campaign with `state: { store: mysql }` keeps its journal, leases and claims (as a DBA team's
 * own replicated database would). It runs the newer build, on its own loopback address, and
 * fsyncs every commit as a store for dbwave's journal should.
 */

/** `fleet.json`'s `stateStore`: where the store is and how to log in (exact key names). */
export interface FleetStateStore {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export const STATE_STORE_USER = 'dbwave_state';
export const STATE_STORE_DATABASE = 'dbwave_state';
/** Above the highest campaign host (MAX_SERVERS is 200): never one of the campaign's addresses. */
const STATE_STORE_ADDRESS = `${FLEET_NET}.250`;

/** The store's sizes and durability (the rest is any standalone mariadbd's). */
const STORE_SETTINGS = [
  'innodb_buffer_pool_size=32M',
  'innodb_log_file_size=16M',
  // The journal's appends are durable only as the store makes them: fsync every commit.
  'innodb_flush_log_at_trx_commit=1',
  'max_connections=100',
];

/** Starts the store's mariadbd on its datadir; resolves with root on its socket once it answers. */
export async function launchStateStore(store: HostPaths, prefix: string): Promise<Connection> {
  spawnDetached(join(prefix, 'usr', 'sbin', 'mariadbd'), [`--defaults-file=${store.myCnf}`], store.stdoutLog);
  return rootConnection(store);
}

/** Installs and starts the state store, with its own user and database; returns what fleet.json says. */
export async function startStateStore(
  paths: FleetPaths,
  prefix: string,
  password: string,
): Promise<FleetStateStore> {
  const store = paths.stateStore;
  await mkdir(store.tmpDir, { recursive: true });
  await writeFile(
    store.myCnf,
    `# Written by \`npm run fleet -- up\`: the state store, not a host of the campaign.\n${renderStandaloneMyCnf(
      {
        prefix,
        paths: store,
        address: STATE_STORE_ADDRESS,
        port: MYSQL_PORT,
        settings: STORE_SETTINGS,
      },
    )}`,
  );
  await installDatadir(store, prefix);
  const root = await launchStateStore(store, prefix);
  try {
    await root.query(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?`, [STATE_STORE_USER, password]);
    // Its own database only: `dbwave state init` creates the tables in it.
    await root.query(`GRANT ALL PRIVILEGES ON \`${STATE_STORE_DATABASE}\`.* TO ?@'%'`, [STATE_STORE_USER]);
  } finally {
    await root.end();
  }
  await writeFile(paths.stateStorePasswordFile, password, { mode: 0o600 });
  return {
    host: STATE_STORE_ADDRESS,
    port: MYSQL_PORT,
    user: STATE_STORE_USER,
    password,
    database: STATE_STORE_DATABASE,
  };
}
