import { errorMessage } from '../../core/errors.js';
import type { SqlRow, SqlSession } from '../../engine/ports/sql-session.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import {
  FLAVOUR_QUERY,
  type ReplicaStatusColumns,
  replicationStatements,
  serverFlavour,
} from '../../model/server-flavour.js';
import { column, numericValue, textValue } from '../../stats/sampling/sql-values.js';
import type {
  ObservedServer,
  ObservedSource,
  ProcessRow,
  ReachableObservation,
  RegisteredReplica,
} from '../server-observation.js';

/**
 * Asks one server what it is in replication and who is connected, with the statements its
 * version understands (model/server-flavour.ts). Read-only. Needs PROCESS (to see other
 * users' connections) and REPLICATION CLIENT / SLAVE MONITOR and REPLICATION MASTER ADMIN (or
 * REPLICATION SLAVE) for the replication statements; a refused statement fails the observation.
 */
export async function observeServer(session: SqlSession): Promise<ReachableObservation> {
  const [flavourRow] = await session.query(FLAVOUR_QUERY);
  const version = textValue(flavourRow?.version);
  const statements = replicationStatements(serverFlavour(version, textValue(flavourRow?.comment ?? '')));
  const serverId = await numberOf(session, 'SELECT @@GLOBAL.server_id AS value');
  const readOnly = await numberOf(session, 'SELECT @@GLOBAL.read_only AS value');
  const connectionId = await numberOf(session, 'SELECT CONNECTION_ID() AS value');
  const [sourceRow] = await session.query(statements.replicaStatus);
  const replicaRows = await session.query(statements.replicaHosts);
  const processRows = await session.query(
    'SELECT ID, USER, HOST, COMMAND FROM information_schema.PROCESSLIST',
  );
  const source = sourceRow === undefined ? undefined : sourceOf(sourceRow, statements.columns);
  return {
    reachable: true,
    version,
    serverId,
    readOnly: readOnly !== 0,
    ...(source === undefined ? {} : { source }),
    replicas: replicaRows.map(replicaOf),
    connectionId,
    processes: processRows.map(processOf),
  };
}

/**
 * Observes each server over a session from `connect`, a few at a time. A server that does not
 * answer, or refuses a statement, is an observation that says why: never a throw.
 */
export async function observeServers(
  servers: readonly ResolvedServer[],
  connect: (server: ResolvedServer) => Promise<SqlSession>,
  parallel = 8,
): Promise<ObservedServer[]> {
  const observed: ObservedServer[] = new Array(servers.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < servers.length; index = next++) {
      const server = servers[index] as ResolvedServer;
      observed[index] = {
        declared: {
          name: server.name,
          host: server.host,
          port: server.port,
          ...(server.cluster === undefined ? {} : { cluster: server.cluster }),
          ...(server.role === undefined ? {} : { role: server.role }),
        },
        observation: await observeOne(server, connect),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, servers.length) }, worker));
  return observed;
}

async function observeOne(
  server: ResolvedServer,
  connect: (server: ResolvedServer) => Promise<SqlSession>,
): Promise<ObservedServer['observation']> {
  let session: SqlSession | undefined;
  try {
    session = await connect(server);
    return await observeServer(session);
  } catch (error) {
    return { reachable: false, error: errorMessage(error) };
  } finally {
    await session?.close().catch(() => undefined);
  }
}

async function numberOf(session: SqlSession, sql: string): Promise<number> {
  const value = (await session.query(sql))[0]?.value;
  return numericValue(value) ?? 0;
}

function pick(row: SqlRow, ...names: string[]): unknown {
  return names.map((name) => column(row, name)).find((value) => value !== undefined && value !== null);
}

function sourceOf(row: SqlRow, columns: ReplicaStatusColumns): ObservedSource | undefined {
  const host = column(row, columns.sourceHost);
  if (host === undefined || host === null || textValue(host) === '') return undefined;
  const serverId = numericValue(column(row, columns.sourceServerId));
  return {
    host: textValue(host),
    port: numericValue(column(row, columns.sourcePort)) ?? 3306,
    ...(serverId === undefined || serverId === 0 ? {} : { serverId }),
    ioRunning: textValue(column(row, columns.ioRunning)),
    sqlRunning: textValue(column(row, columns.sqlRunning)),
  };
}

function replicaOf(row: SqlRow): RegisteredReplica {
  return {
    serverId: numericValue(pick(row, 'Server_Id', 'Server_id')) ?? 0,
    host: textValue(pick(row, 'Host') ?? ''),
    port: numericValue(pick(row, 'Port')) ?? 0,
  };
}

function processOf(row: SqlRow): ProcessRow {
  const text = (name: string): string => {
    const value = column(row, name);
    return value === null || value === undefined ? '' : textValue(value);
  };
  return {
    id: numericValue(column(row, 'ID')) ?? 0,
    user: text('USER'),
    host: text('HOST'),
    command: text('COMMAND'),
  };
}
