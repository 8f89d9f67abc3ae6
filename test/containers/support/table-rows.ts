import { createHash } from 'node:crypto';
import { type Connection, createConnection } from 'mysql2/promise';
import type { ContainerHost } from './container-host.js';

/**
 * Data on a host's volume, checked before and after an upgrade: a table of known rows and a
 * digest of every row computed on the client side, so that the check does not depend on the
 * server version's own checksum algorithm.
 */

export const CHECK_DATABASE = 'wavecheck';

/** What a SQL connection to a test host needs: a container host or a package host. */
export type SqlHost = Pick<ContainerHost, 'name' | 'port' | 'password'>;

export function connectTo(host: SqlHost): Promise<Connection> {
  return createConnection({
    host: '127.0.0.1',
    port: host.port,
    user: 'dbwave',
    password: host.password,
    connectTimeout: 5_000,
  });
}

export async function withConnection<T>(host: SqlHost, use: (connection: Connection) => Promise<T>) {
  const connection = await connectTo(host);
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

/**
 * Creates `wavecheck.kept_rows` with `count` rows (at most 1,000,000) whose content depends on
 * the host's name. The numbers come from a table of ten digits joined with itself, which both
 * flavours run (MariaDB's seq_1_to_N engine is not in MySQL).
 */
export async function seedRows(host: SqlHost, count: number): Promise<void> {
  const places = Math.max(1, Math.ceil(Math.log10(count + 1)));
  if (places > 6) throw new Error(`seedRows makes at most 1,000,000 rows, not ${count}`);
  const joins = Array.from({ length: places }, (_, place) => `${CHECK_DATABASE}.digits d${place}`);
  const number = `1 + ${Array.from({ length: places }, (_, place) => `${10 ** place} * d${place}.d`).join(' + ')}`;
  await withConnection(host, async (connection) => {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${CHECK_DATABASE}`);
    await connection.query(`CREATE TABLE ${CHECK_DATABASE}.digits (d INT PRIMARY KEY) ENGINE=InnoDB`);
    await connection.query(
      `INSERT INTO ${CHECK_DATABASE}.digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`,
    );
    await connection.query(
      `CREATE TABLE ${CHECK_DATABASE}.kept_rows (id INT PRIMARY KEY, payload VARCHAR(64) NOT NULL, n BIGINT NOT NULL) ENGINE=InnoDB`,
    );
    await connection.query(
      `INSERT INTO ${CHECK_DATABASE}.kept_rows SELECT n, SHA2(CONCAT(?, n), 256), n * n FROM (SELECT ${number} AS n FROM ${joins.join(', ')}) numbers WHERE n <= ?`,
      [host.name, count],
    );
  });
}

export interface RowDigest {
  readonly rows: number;
  readonly sha256: string;
}

export async function rowDigest(host: SqlHost): Promise<RowDigest> {
  return withConnection(host, async (connection) => {
    const [rows] = await connection.query(
      `SELECT id, payload, n FROM ${CHECK_DATABASE}.kept_rows ORDER BY id`,
    );
    const hash = createHash('sha256');
    const list = rows as { id: number; payload: string; n: number | string }[];
    for (const row of list) hash.update(`${row.id}|${row.payload}|${row.n}\n`);
    return { rows: list.length, sha256: hash.digest('hex') };
  });
}

/** What the running server reports, e.g. `10.11.19-MariaDB-0+deb12u1`. */
export async function serverVersion(host: SqlHost): Promise<string> {
  return withConnection(host, async (connection) => {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    return String((rows as { version: string }[])[0]?.version);
  });
}
