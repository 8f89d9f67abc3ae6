import {
  FLAVOUR_QUERY,
  type InnodbStatusFacts,
  innodbStatusFacts,
  type PreflushVariable,
} from '../../model/server-flavour.js';
import type { SqlRow, SqlSession } from '../ports/sql-session.js';

/** The few statements the step machine sends, in one place. */

function firstValue(rows: readonly SqlRow[]): unknown {
  const row = rows[0];
  return row === undefined ? undefined : Object.values(row)[0];
}

function asNumber(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

export async function serverVersion(sql: SqlSession): Promise<string> {
  return String(firstValue(await sql.query('SELECT VERSION() AS version')) ?? '');
}

/** `SELECT VERSION()` and `@@version_comment`, the two texts a server's flavour is told from. */
export async function serverVersionTexts(sql: SqlSession): Promise<{ version: string; comment: string }> {
  const [row] = await sql.query(FLAVOUR_QUERY);
  return { version: String(row?.version ?? ''), comment: String(row?.comment ?? '') };
}

/** Which of `names` the server has, and their values (`SHOW GLOBAL VARIABLES`). */
export async function existingGlobalVariables(
  sql: SqlSession,
  names: readonly PreflushVariable[],
): Promise<Map<PreflushVariable, string>> {
  for (const name of names) if (!/^[a-z_]+$/.test(name)) throw new TypeError(`not a variable name: ${name}`);
  const rows = await sql.query(
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map((name) => `'${name}'`).join(', ')})`,
  );
  const found = new Map<PreflushVariable, string>();
  for (const row of rows) {
    const name = String(row.Variable_name ?? row.variable_name ?? '').toLowerCase();
    const known = names.find((candidate) => candidate === name);
    if (known !== undefined) found.set(known, String(row.Value ?? row.value ?? ''));
  }
  return found;
}

/** A global variable's value as text (`@@GLOBAL.name`). */
export async function globalVariable(sql: SqlSession, name: string): Promise<string | undefined> {
  if (!/^[a-z_]+$/.test(name)) throw new TypeError(`not a variable name: ${name}`);
  const value = firstValue(await sql.query(`SELECT @@GLOBAL.${name} AS value`));
  return value === null || value === undefined ? undefined : String(value);
}

/** `SET GLOBAL name = number`: the value is a number checked here, never text from a file. */
export async function setGlobalNumber(sql: SqlSession, name: string, value: number): Promise<void> {
  if (!/^[a-z_]+$/.test(name)) throw new TypeError(`not a variable name: ${name}`);
  if (!Number.isFinite(value)) throw new TypeError(`not a number: ${value}`);
  await sql.query(`SET GLOBAL ${name} = ${value}`);
}

export interface DrainCounters {
  readonly dirtyPages?: number;
  readonly historyListLength?: number;
}

/**
 * Dirty pages in the buffer pool, and the history list length the purge still has to do, from
 * where this server publishes them (an unknown server: the status variable, then INNODB_METRICS).
 */
export async function drainCounters(
  sql: SqlSession,
  facts: InnodbStatusFacts = innodbStatusFacts(undefined),
): Promise<DrainCounters> {
  const rows = await sql.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_history_list_length')",
  );
  const values = new Map<string, number | undefined>();
  for (const row of rows) {
    const name = String(row.Variable_name ?? row.variable_name ?? '').toLowerCase();
    values.set(name, asNumber(row.Value ?? row.value));
  }
  let historyListLength = values.get('innodb_history_list_length');
  if (historyListLength === undefined && facts.innodbMetrics) {
    // MySQL publishes it only in INNODB_METRICS.
    const metric = await sql
      .query(
        "SELECT `COUNT` AS value FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'",
      )
      .catch(() => []);
    historyListLength = asNumber(firstValue(metric));
  }
  const dirtyPages = values.get('innodb_buffer_pool_pages_dirty');
  return {
    ...(dirtyPages === undefined ? {} : { dirtyPages }),
    ...(historyListLength === undefined ? {} : { historyListLength }),
  };
}

/** Age in seconds of the oldest open InnoDB transaction, 0 when there is none. */
export async function oldestTransactionSeconds(sql: SqlSession): Promise<number> {
  const rows = await sql.query(
    'SELECT COALESCE(MAX(TIMESTAMPDIFF(SECOND, trx_started, NOW())), 0) AS age FROM information_schema.innodb_trx',
  );
  return asNumber(firstValue(rows)) ?? 0;
}
