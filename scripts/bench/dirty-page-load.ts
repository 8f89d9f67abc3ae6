import type { Connection } from 'mysql2/promise';
import type { FleetManifest, FleetServer } from '../fleet/manifest.js';
import { sqlConnection } from './bench-fleet.js';

/**
 * A write load heavy enough that dirty pages are substantial when the server is stopped: a
 * larger buffer pool (resized at runtime; the next start is back to my.cnf's size), a table
 * about as large as it, and random single-row updates from several connections, so that nearly
 * every page of the pool is dirty and a clean shutdown has real flushing to do. The fleet's own
 * sysbench tables (2 x 16,000 rows, some 7.5 MiB) are too small to dirty enough pages.
 */

export const BENCH_DATABASE = 'dbwave_bench';
const TABLE = `${BENCH_DATABASE}.dirty`;
export const BUFFER_POOL_BYTES = 1024 * 1024 * 1024;
/** About 230 bytes a row: some 700 MiB of table (45,000 pages), most of the enlarged pool. */
const ROWS = 3_000_000;
const UPDATES_PER_STATEMENT = 20;
/** A heavy but sustainable OLTP write rate for one server. */
export const DEFAULT_ROWS_PER_SECOND = 2_500;

async function scalar(connection: Connection, sql: string): Promise<number> {
  const [rows] = await connection.query(sql);
  return Number(Object.values((rows as Record<string, unknown>[])[0] ?? {})[0]);
}

/** Enlarges the pool and creates the table once per server (it survives upgrades and rollbacks). */
export async function prepareDirtyPageLoad(fleet: FleetManifest, server: FleetServer): Promise<void> {
  const connection = await sqlConnection(fleet, server);
  try {
    await enlargeBufferPool(connection);
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${BENCH_DATABASE}`);
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (id INT PRIMARY KEY, counter INT NOT NULL, filler CHAR(200) NOT NULL) ENGINE=InnoDB`,
    );
    if ((await scalar(connection, `SELECT COUNT(*) FROM ${TABLE}`)) < ROWS) {
      await connection.query(`TRUNCATE ${TABLE}`);
      // The sequence engine makes the rows server-side: seconds, not minutes.
      await connection.query(
        `INSERT INTO ${TABLE} SELECT seq, 0, REPEAT('x', 200) FROM ${BENCH_DATABASE}.seq_1_to_${ROWS}`,
      );
    }
  } finally {
    await connection.end();
  }
}

export async function enlargeBufferPool(connection: Connection): Promise<void> {
  await connection.query(`SET GLOBAL innodb_buffer_pool_size = ${BUFFER_POOL_BYTES}`);
  // The resize runs in the background; it is done when the variable reads back the new size.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const [rows] = await connection.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_resize_status'");
    const status = String((rows as { Value?: string }[])[0]?.Value ?? '');
    if (status === '' || /completed|finished/i.test(status)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Drops the bench's table (the pool goes back to its size at the next start). */
export async function dropDirtyPageLoad(fleet: FleetManifest, server: FleetServer): Promise<void> {
  const connection = await sqlConnection(fleet, server);
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE}`);
  } finally {
    await connection.end();
  }
}

export interface RunningLoad {
  /** Updates committed so far. */
  readonly updates: () => number;
  /** Stops every connection; resolves once they are closed. */
  stop(): Promise<void>;
}

/**
 * Random single-row updates at `rowsPerSecond` (spread over `connections` connections) until
 * stopped or the server goes away. The rate is fixed, as a production write load is: unpaced,
 * four connections here update some 70,000 rows a second, re-dirtying the whole table faster
 * than any flush, which no server sustains in production (its redo log would force the flush).
 */
export async function startDirtyPageLoad(
  fleet: FleetManifest,
  server: FleetServer,
  rowsPerSecond = DEFAULT_ROWS_PER_SECOND,
  connections = 4,
): Promise<RunningLoad> {
  let stopped = false;
  let updates = 0;
  const statementEveryMs = (1000 * UPDATES_PER_STATEMENT * connections) / rowsPerSecond;
  const worker = async (): Promise<void> => {
    const connection = await sqlConnection(fleet, server);
    const started = Date.now();
    try {
      for (let statement = 0; !stopped; statement += 1) {
        const ids = Array.from({ length: UPDATES_PER_STATEMENT }, () => 1 + Math.floor(Math.random() * ROWS));
        await connection.query(`UPDATE ${TABLE} SET counter = counter + 1 WHERE id IN (${ids.join(',')})`);
        updates += UPDATES_PER_STATEMENT;
        // Paced against the start, not the last statement: a slow statement is caught up.
        const due = started + (statement + 1) * statementEveryMs;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } catch {
      // The server went into shutdown: the load ends with it.
    } finally {
      connection.destroy();
    }
  };
  const workers = Array.from({ length: connections }, () => worker());
  return {
    updates: () => updates,
    stop: async () => {
      stopped = true;
      await Promise.allSettled(workers);
    },
  };
}
