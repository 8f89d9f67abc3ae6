import type { Clock } from '../../engine/ports/clock.js';
import type { SqlRow, SqlSession } from '../../engine/ports/sql-session.js';
import { column, numericValue, textValue } from '../../stats/sampling/sql-values.js';
import type { CatchUpObservation } from '../replication-caught-up-gate.js';
import {
  channelRunning,
  type ReplicationChannel,
  type ReplicationObservation,
} from '../replication-status.js';

/**
 * Every replication channel of a server. MariaDB lists all its connections with SHOW ALL SLAVES
 * STATUS; MySQL 8.0.22+ wants SHOW REPLICA STATUS (8.4 refuses the old form); older servers
 * know only SHOW SLAVE STATUS. The first statement the server accepts answers.
 */
const STATEMENTS = ['SHOW ALL SLAVES STATUS', 'SHOW REPLICA STATUS', 'SHOW SLAVE STATUS'];

export async function readReplicationStatus(session: SqlSession): Promise<ReplicationObservation> {
  let lastError: unknown;
  for (const statement of STATEMENTS) {
    try {
      const rows = await session.query(statement);
      return { readable: true, channels: rows.map(channelOf) };
    } catch (error) {
      lastError = error;
    }
  }
  return { readable: false, error: lastError instanceof Error ? lastError.message : String(lastError) };
}

function channelOf(row: SqlRow): ReplicationChannel {
  const pick = (...names: string[]): unknown =>
    names.map((name) => column(row, name)).find((v) => v !== undefined);
  const name = pick('Connection_name', 'Channel_Name', 'Channel_name');
  const ioError = pick('Last_IO_Error');
  const sqlError = pick('Last_SQL_Error');
  const behind = pick('Seconds_Behind_Master', 'Seconds_Behind_Source');
  return {
    name: name === undefined || name === null ? '' : textValue(name),
    ioRunning: textValue(pick('Slave_IO_Running', 'Replica_IO_Running')),
    sqlRunning: textValue(pick('Slave_SQL_Running', 'Replica_SQL_Running')),
    secondsBehind: numericValue(behind) ?? null,
    ...(ioError === undefined || ioError === null ? {} : { lastIoError: textValue(ioError) }),
    ...(sqlError === undefined || sqlError === null ? {} : { lastSqlError: textValue(sqlError) }),
  };
}

export interface CatchUpOptions {
  readonly clock: Clock;
  /** campaign gates.replicationTimeout. */
  readonly timeoutMs: number;
  /** campaign gates.replicationMaxLag, in seconds. */
  readonly maxLagSeconds: number;
  /** Default 2s. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Polls a replica until every channel is within the allowed lag, a thread has stopped (waiting
 * will not help), or the timeout passes; returns the last status for the gate to judge.
 */
export async function waitForReplicationCatchUp(
  session: SqlSession,
  options: CatchUpOptions,
): Promise<CatchUpObservation> {
  const started = options.clock.now();
  for (;;) {
    const last = await readReplicationStatus(session);
    const waitedMs = options.clock.now() - started;
    const done =
      !last.readable ||
      last.channels.length === 0 ||
      last.channels.some((channel) => channel.ioRunning === 'No' || channel.sqlRunning === 'No') ||
      last.channels.every(
        (channel) =>
          channelRunning(channel) &&
          channel.secondsBehind !== null &&
          channel.secondsBehind <= options.maxLagSeconds,
      );
    const left = options.timeoutMs - waitedMs;
    if (done || left <= 0) {
      return { last, waitedMs, timeoutMs: options.timeoutMs, maxLagSeconds: options.maxLagSeconds };
    }
    await options.clock.sleep(Math.min(options.pollMs ?? 2_000, left), options.signal);
  }
}
