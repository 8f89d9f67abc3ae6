import type { Clock } from '../../engine/ports/clock.js';
import type { SqlRow, SqlSession } from '../../engine/ports/sql-session.js';
import {
  allChannelsStatement,
  FLAVOUR_QUERY,
  type ReplicaStatusColumns,
  replicationStatements,
  serverFlavour,
} from '../../model/server-flavour.js';
import { column, numericValue, textValue } from '../../stats/sampling/sql-values.js';
import type { CatchUpObservation } from '../replication-caught-up-gate.js';
import {
  channelRunning,
  type ReplicationChannel,
  type ReplicationObservation,
} from '../replication-status.js';

/**
 * Every replication channel of a server, with the statement and column names its flavour and
 * version use (model/server-flavour.ts): MariaDB 10.0+ lists all its connections with SHOW ALL
 * SLAVES STATUS; MySQL 8.0.22+ wants SHOW REPLICA STATUS (8.4 refuses the old form) and names
 * its columns Replica_ / Source_; older servers know only SHOW SLAVE STATUS.
 */
export async function readReplicationStatus(session: SqlSession): Promise<ReplicationObservation> {
  try {
    const [flavourRow] = await session.query(FLAVOUR_QUERY);
    const flavour = serverFlavour(textValue(flavourRow?.version), textValue(flavourRow?.comment ?? ''));
    const { columns } = replicationStatements(flavour);
    const rows = await session.query(allChannelsStatement(flavour));
    return { readable: true, channels: rows.map((row) => channelOf(row, columns)) };
  } catch (error) {
    return { readable: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function channelOf(row: SqlRow, columns: ReplicaStatusColumns): ReplicationChannel {
  const pick = (...names: string[]): unknown =>
    names.map((name) => column(row, name)).find((v) => v !== undefined);
  // MariaDB's connection name, MySQL's channel: one concept, a column each.
  const name = pick('Connection_name', 'Channel_Name');
  const ioError = pick('Last_IO_Error');
  const sqlError = pick('Last_SQL_Error');
  const behind = column(row, columns.secondsBehind);
  return {
    name: name === undefined || name === null ? '' : textValue(name),
    ioRunning: textValue(column(row, columns.ioRunning)),
    sqlRunning: textValue(column(row, columns.sqlRunning)),
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
