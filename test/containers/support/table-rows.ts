import { createHash } from 'node:crypto';
import { type Connection, createConnection } from 'mysql2/promise';
import type { ContainerHost } from './container-host.js';

/**
 * Data on a host's volume, checked before and after an upgrade: a table of known rows and a
 * digest of every row computed on the client side, so that the check does not depend on the
 * server version's own checksum algorithm.
 */

export const CHECK_DATABASE = 'wavecheck';

export function connectTo(host: ContainerHost): Promise<Connection> {
  return createConnection({
    host: '127.0.0.1',
    port: host.port,
    user: 'dbwave',
    password: host.password,
    connectTimeout: 5_000,
  });
}

export async function withConnection<T>(host: ContainerHost, use: (connection: Connection) => Promise<T>) {
  const connection = await connectTo(host);
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

/** Creates `wavecheck.kept_rows` with `count` rows whose content depends on the host's name. */
export async function seedRows(host: ContainerHost, count: number): Promise<void> {
  await withConnection(host, async (connection) => {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${CHECK_DATABASE}`);
    await connection.query(
      `CREATE TABLE ${CHECK_DATABASE}.kept_rows (id INT PRIMARY KEY, payload VARCHAR(64) NOT NULL, n BIGINT NOT NULL) ENGINE=InnoDB`,
    );
    await connection.query(
      `INSERT INTO ${CHECK_DATABASE}.kept_rows SELECT seq, SHA2(CONCAT(?, seq), 256), seq * seq FROM ${CHECK_DATABASE}.seq_1_to_${count}`,
      [host.name],
    );
  });
}

export interface RowDigest {
  readonly rows: number;
  readonly sha256: string;
}

export async function rowDigest(host: ContainerHost): Promise<RowDigest> {
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
export async function serverVersion(host: ContainerHost): Promise<string> {
  return withConnection(host, async (connection) => {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    return String((rows as { version: string }[])[0]?.version);
  });
}
