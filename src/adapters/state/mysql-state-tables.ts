import type { Connection } from 'mysql2/promise';
import { DbwaveError, ErrorCode } from '../../core/errors.js';

/**
 * The state store's tables, created by `dbwave state init` (idempotent) and versioned: a store
 * made by a newer dbwave is refused rather than written in a shape this one does not know.
 * InnoDB only: the journal's durability and the leases' row locks depend on it.
 */
export const STATE_SCHEMA_VERSION = 2;

/** Each statement is safe to run again: `state init` on an initialised store changes nothing. */
export const STATE_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS dbwave_schema (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    version INT UNSIGNED NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
  ) ENGINE=InnoDB`,
  // One row per campaign: the fencing token the next lease gets (it only ever grows).
  `CREATE TABLE IF NOT EXISTS dbwave_campaign (
    campaign VARCHAR(191) NOT NULL PRIMARY KEY,
    next_token BIGINT UNSIGNED NOT NULL
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS dbwave_lease (
    campaign VARCHAR(191) NOT NULL,
    runner VARCHAR(191) NOT NULL,
    token BIGINT UNSIGNED NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INT UNSIGNED NOT NULL,
    operator VARCHAR(255) NOT NULL,
    purpose VARCHAR(255) NULL,
    started TIMESTAMP(6) NOT NULL,
    heartbeat TIMESTAMP(6) NOT NULL,
    expires TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (campaign, runner)
  ) ENGINE=InnoDB`,
  // The journal as rows, in the file journal's write-ahead order (seq), each with who wrote it.
  `CREATE TABLE IF NOT EXISTS dbwave_journal (
    campaign VARCHAR(191) NOT NULL,
    seq BIGINT UNSIGNED NOT NULL,
    runner VARCHAR(191) NOT NULL,
    token BIGINT UNSIGNED NOT NULL,
    append_id CHAR(32) NOT NULL,
    record LONGTEXT NOT NULL,
    written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (campaign, seq),
    UNIQUE KEY append_once (campaign, append_id)
  ) ENGINE=InnoDB`,
  // Version 2: several runners on one wave. A wave's row is the lock every claim of the wave
  // takes (claims are decided one at a time from every runner's rows), and remembers whether the
  // wave was journaled finished since its last claim (so that one runner says so, once).
  `CREATE TABLE IF NOT EXISTS dbwave_wave (
    campaign VARCHAR(191) NOT NULL,
    wave INT UNSIGNED NOT NULL,
    finished_at TIMESTAMP(6) NULL,
    PRIMARY KEY (campaign, wave)
  ) ENGINE=InnoDB`,
  // One row per server a runner claimed: who runs it (runner and fencing token) and how it ended.
  `CREATE TABLE IF NOT EXISTS dbwave_claim (
    campaign VARCHAR(191) NOT NULL,
    wave INT UNSIGNED NOT NULL,
    server VARCHAR(191) NOT NULL,
    runner VARCHAR(191) NOT NULL,
    token BIGINT UNSIGNED NOT NULL,
    state ENUM('running', 'succeeded', 'failed', 'released') NOT NULL,
    claimed_at TIMESTAMP(6) NOT NULL,
    settled_at TIMESTAMP(6) NULL,
    PRIMARY KEY (campaign, wave, server)
  ) ENGINE=InnoDB`,
];

/** Creates the tables and records the version; refuses a store of a newer dbwave. */
export async function initStateTables(
  connection: Connection,
  database: string,
): Promise<'created' | 'current'> {
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  await connection.query(`USE \`${database}\``);
  const before = await storedVersion(connection);
  if (before !== undefined && before > STATE_SCHEMA_VERSION) throw newerStore(database, before);
  for (const statement of STATE_TABLES) await connection.query(statement);
  await connection.query(
    'INSERT INTO dbwave_schema (id, version) VALUES (1, ?) ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version))',
    [STATE_SCHEMA_VERSION],
  );
  return before === STATE_SCHEMA_VERSION ? 'current' : 'created';
}

/** Checks that the store was initialised, by this version: runs never create tables. */
export async function checkStateTables(connection: Connection, database: string): Promise<void> {
  const version = await storedVersion(connection);
  if (version === undefined) {
    throw new DbwaveError(
      ErrorCode.Usage,
      `the state store's database ${database} has no dbwave tables: run dbwave state init PLAN first`,
    );
  }
  if (version > STATE_SCHEMA_VERSION) throw newerStore(database, version);
  if (version < STATE_SCHEMA_VERSION) {
    throw new DbwaveError(
      ErrorCode.Usage,
      `the state store's database ${database} is at schema version ${version}, older than this dbwave's ${STATE_SCHEMA_VERSION}: run dbwave state init PLAN (it adds the newer tables and keeps every row)`,
    );
  }
}

async function storedVersion(connection: Connection): Promise<number | undefined> {
  const [tables] = await connection.query("SHOW TABLES LIKE 'dbwave_schema'");
  if ((tables as unknown[]).length === 0) return undefined;
  const [rows] = await connection.query('SELECT version FROM dbwave_schema WHERE id = 1');
  const row = (rows as { version: number }[])[0];
  return row === undefined ? undefined : Number(row.version);
}

function newerStore(database: string, version: number): DbwaveError {
  return new DbwaveError(
    ErrorCode.Usage,
    `the state store's database ${database} is at schema version ${version}, newer than this dbwave's ${STATE_SCHEMA_VERSION}: upgrade dbwave`,
  );
}
