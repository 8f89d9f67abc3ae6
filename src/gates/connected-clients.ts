import type { ExpectedClient } from '../model/campaign-schema.js';
import type { ProcessRow, ReachableObservation } from './server-observation.js';

/**
 * Who else talks to a server (seed 000: a cron job was missed despite audits). A client that
 * does not come through the maintenance proxy never sees the 503 page; it sees errors when
 * mysqld stops. Pure: PROCESSLIST rows in, grouped clients out.
 */

/** How a client reaches the server. */
export type ClientPath = 'proxy' | 'direct' | 'replication';

/** The connections of one user from one host (ports dropped). */
export interface ConnectedClient {
  readonly user: string;
  readonly host: string;
  readonly connections: number;
  readonly path: ClientPath;
  /** Matched by the campaign's clients.expected. */
  readonly expected: boolean;
}

export interface ClientRules {
  /** Where the proxy's connections come from (patterns allowed); empty when not known. */
  readonly proxyAddresses: readonly string[];
  readonly expected: readonly ExpectedClient[];
}

/** The server's own threads (replication SQL/IO threads, the event scheduler, InnoDB's purge). */
function isServerThread(row: ProcessRow): boolean {
  return (
    row.host === '' ||
    row.user === 'system user' ||
    row.user === 'event_scheduler' ||
    row.command === 'Daemon'
  );
}

/** `10.0.0.7:51234` -> `10.0.0.7`; `[::1]:51234` -> `::1`; `localhost` stays. */
export function hostWithoutPort(host: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(host);
  if (bracketed) return bracketed[1] ?? host;
  return host.includes(':') ? host.replace(/:\d+$/, '') : host;
}

/** Whether `text` matches a pattern where `*` and `%` stand for any run of characters. */
export function matchesPattern(pattern: string, text: string): boolean {
  const source = pattern
    .split(/[*%]/)
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(text);
}

/** dbwave's own address as this server sees it: the host of its own connection. */
export function ownAddress(observation: ReachableObservation): string | undefined {
  const own = observation.processes.find((row) => row.id === observation.connectionId);
  return own === undefined ? undefined : hostWithoutPort(own.host);
}

/**
 * The server's clients grouped by user and host (without port), dbwave's own connection and the
 * server's own threads left out, each marked by how it comes: a Binlog Dump thread is
 * replication, a host among the proxy's addresses the proxy, anything else direct.
 */
export function connectedClients(observation: ReachableObservation, rules: ClientRules): ConnectedClient[] {
  const groups = new Map<string, { user: string; host: string; connections: number; path: ClientPath }>();
  for (const row of observation.processes) {
    if (row.id === observation.connectionId || isServerThread(row)) continue;
    const host = hostWithoutPort(row.host);
    const path: ClientPath = row.command.startsWith('Binlog Dump')
      ? 'replication'
      : rules.proxyAddresses.some((pattern) => matchesPattern(pattern, host))
        ? 'proxy'
        : 'direct';
    const key = `${row.user}\u0000${host}\u0000${path}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { user: row.user, host, connections: 1, path });
    else group.connections += 1;
  }
  return [...groups.values()]
    .map((group) => ({
      ...group,
      expected: rules.expected.some(
        (client) => matchesPattern(client.user, group.user) && matchesPattern(client.host, group.host),
      ),
    }))
    .sort(
      (a, b) => a.path.localeCompare(b.path) || a.user.localeCompare(b.user) || a.host.localeCompare(b.host),
    );
}

/** Clients that will not see the 503 and that nobody said to expect. */
export function unexpectedClients(clients: readonly ConnectedClient[]): ConnectedClient[] {
  return clients.filter((client) => client.path === 'direct' && !client.expected);
}

/** `app@10.0.0.7 (3 connections, direct, unexpected)`. */
export function describeClient(client: ConnectedClient): string {
  const marks = [
    `${client.connections} connection${client.connections === 1 ? '' : 's'}`,
    client.path === 'direct'
      ? 'not through the proxy'
      : client.path === 'proxy'
        ? 'through the proxy'
        : 'replication',
    ...(client.path === 'direct' ? [client.expected ? 'expected' : 'unexpected'] : []),
  ];
  return `${client.user}@${client.host} (${marks.join(', ')})`;
}
