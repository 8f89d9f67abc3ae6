import type { Clock } from '../../engine/ports/clock.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import { column, textValue } from '../../stats/sampling/sql-values.js';
import type { Reachability } from '../reachable-gate.js';
import type { SmokeQueryResult } from '../smoke-query-gate.js';

/** `SELECT 1` over an open session, timed: what the reachable gate judges. */
export async function probeReachable(session: SqlSession, clock: Clock): Promise<Reachability> {
  const started = clock.now();
  try {
    await session.query('SELECT 1');
    return { reachable: true, latencyMs: clock.now() - started };
  } catch (error) {
    return { reachable: false, error: messageOf(error) };
  }
}

/** `SELECT VERSION()`; undefined when it cannot be read. */
export async function readServerVersion(session: SqlSession): Promise<string | undefined> {
  try {
    const [row] = await session.query('SELECT VERSION() AS version');
    return row === undefined ? undefined : textValue(column(row, 'version'));
  } catch {
    return undefined;
  }
}

export interface SmokeQuery {
  readonly name: string;
  readonly sql: string;
  readonly database?: string;
}

/** Runs one campaign smoke query (in its database when it names one) and keeps its first value. */
export async function runSmokeQuery(
  session: SqlSession,
  query: SmokeQuery,
  clock: Clock,
): Promise<SmokeQueryResult> {
  const started = clock.now();
  try {
    if (query.database !== undefined) await session.query(`USE ${quoteIdentifier(query.database)}`);
    const rows = await session.query(query.sql);
    const first = rows[0];
    const firstValue = first === undefined ? undefined : textValue(Object.values(first)[0]);
    return { name: query.name, ok: true, firstValue, rows: rows.length, durationMs: clock.now() - started };
  } catch (error) {
    return { name: query.name, ok: false, error: messageOf(error), durationMs: clock.now() - started };
  }
}

/** A MySQL identifier in backticks, a backtick inside doubled. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
