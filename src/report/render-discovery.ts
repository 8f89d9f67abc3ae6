import { type ConnectedClient, describeClient } from '../gates/connected-clients.js';
import { describeMismatch, type FleetDiscovery, type ServerDiscovery } from '../gates/fleet-discovery.js';
import { cell, table } from './render-markdown.js';

/** `c1/replica`, or `-` for a server in no cluster. */
function declaredCell(server: ServerDiscovery): string {
  const { cluster, role } = server.declared;
  return cluster === undefined ? '-' : `${cluster}/${role ?? '-'}`;
}

function observedCell(server: ServerDiscovery): string {
  if (server.error !== undefined) return 'not reachable';
  const place = server.place;
  if (place === undefined) return '-';
  const replicas = place.replicas.length === 0 ? '' : ` (replicas: ${place.replicas.join(', ')})`;
  if (place.role === 'replica') return `replica of ${place.source ?? '?'}${replicas}`;
  return `${place.role}${replicas}`;
}

function clientsCell(clients: readonly ConnectedClient[]): string {
  const direct = clients.filter((client) => client.path === 'direct');
  const unexpected = direct.filter((client) => !client.expected).length;
  return `${clients.length} (${direct.length} direct${unexpected === 0 ? '' : `, ${unexpected} unexpected`})`;
}

/**
 * `dbwave discover`'s table, one row per server (declared and observed side by side), then
 * every mismatch with both facts, the servers that could not be asked, and each server's
 * clients with those not through the proxy marked.
 */
export function renderDiscoveryText(discovery: FleetDiscovery): string {
  const lines = table(
    ['Server', 'Host', 'Declared', 'Observed', 'read_only', 'Version', 'Clients'],
    discovery.servers.map((server) => [
      server.declared.name,
      `${server.declared.host}:${server.declared.port}`,
      declaredCell(server),
      observedCell(server),
      server.readOnly === undefined ? '-' : server.readOnly ? 'ON' : 'OFF',
      server.version ?? '-',
      server.error === undefined ? clientsCell(server.clients) : '-',
    ]),
  );
  lines.push('');
  if (discovery.mismatches.length > 0) {
    lines.push(`Topology mismatches (${discovery.mismatches.length}):`);
    for (const mismatch of discovery.mismatches) lines.push(`  ${describeMismatch(mismatch)}`);
    lines.push('');
  }
  if (discovery.unobserved.length > 0) {
    lines.push('Not reachable (their topology is unconfirmed):');
    for (const entry of discovery.unobserved) lines.push(`  ${entry.server}: ${entry.error}`);
    lines.push('');
  }
  lines.push(...clientLines(discovery));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Each reachable server's clients, one per line, those not through the proxy marked. */
function clientLines(discovery: FleetDiscovery): string[] {
  const lines: string[] = [];
  for (const server of discovery.servers) {
    if (server.error !== undefined) continue;
    lines.push(
      `${server.declared.name} clients (proxy: ${server.proxy.addresses.join(', ') || 'none'}, from ${server.proxy.from}):`,
    );
    if (server.clients.length === 0) lines.push('  none besides dbwave');
    for (const client of server.clients) {
      lines.push(`  ${client.path === 'direct' && !client.expected ? '! ' : '  '}${describeClient(client)}`);
    }
  }
  return lines;
}

/**
 * The checklist's section on who else talks to the wave's servers: the clients found (when the
 * checklist asked the servers) with those not through the proxy marked, and the expected ones.
 */
export function checklistClientLines(
  discovery: FleetDiscovery | undefined,
  expected: readonly string[],
): string[] {
  const lines = [
    '## Who else talks to the servers',
    '',
    'A client that does not come through the maintenance proxy never sees the 503 page: it sees errors when mysqld stops (a cron job, a batch host). Tell its owner, or stop it, before the window.',
    '',
    expected.length === 0
      ? '- Expected clients (campaign clients.expected): none'
      : `- Expected clients (campaign clients.expected): ${expected.map(cell).join(', ')}`,
  ];
  if (discovery === undefined) {
    lines.push(
      '- [ ] List the clients now connected to each server: `dbwave discover PLAN` (or this checklist with `--clients`); the run lists them again before it starts',
    );
    return lines;
  }
  for (const { server, client } of discovery.unexpected) {
    lines.push(
      `- [ ] **Warning**: ${cell(server)}: ${cell(describeClient(client))}: who is it, and does its owner know?`,
    );
  }
  lines.push('');
  lines.push(
    ...table(
      ['Server', 'Client', 'Connections', 'Path', 'Expected'],
      discovery.servers.flatMap((server) =>
        server.error !== undefined
          ? [[server.declared.name, `not reachable: ${server.error}`, '-', '-', '-']]
          : server.clients.map((client) => [
              server.declared.name,
              `${client.user}@${client.host}`,
              client.connections,
              client.path === 'direct' ? '**not through the proxy**' : client.path,
              client.path !== 'direct' ? '-' : client.expected ? 'yes' : '**no**',
            ]),
      ),
    ),
  );
  return lines;
}

/** `discover --json`: the document's shape is documented in docs/discover.md. */
export function discoveryDocument(discovery: FleetDiscovery): Record<string, unknown> {
  return {
    servers: discovery.servers.map((server) => ({
      name: server.declared.name,
      host: server.declared.host,
      port: server.declared.port,
      declared: {
        cluster: server.declared.cluster ?? null,
        role: server.declared.role ?? null,
      },
      observed:
        server.error !== undefined || server.place === undefined
          ? null
          : {
              role: server.place.role,
              source: server.place.source ?? null,
              replicas: server.place.replicas,
              readOnly: server.readOnly ?? null,
              version: server.version ?? null,
            },
      ...(server.error === undefined ? {} : { error: server.error }),
      proxyAddresses: { addresses: server.proxy.addresses, from: server.proxy.from },
      clients: server.clients.map((client) => ({
        user: client.user,
        host: client.host,
        connections: client.connections,
        path: client.path,
        expected: client.expected,
      })),
    })),
    mismatches: discovery.mismatches.map(({ server, declared, observed }) => ({
      server,
      declared,
      observed,
    })),
    unreachable: discovery.unobserved,
    unexpectedClients: discovery.unexpected.map(({ server, client }) => ({
      server,
      user: client.user,
      host: client.host,
      connections: client.connections,
    })),
  };
}
