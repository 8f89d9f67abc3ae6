import { describe, expect, it } from 'vitest';
import type { SqlRow, SqlSession } from '../../../src/engine/ports/sql-session.js';
import {
  connectedClients,
  hostWithoutPort,
  unexpectedClients,
} from '../../../src/gates/connected-clients.js';
import { judgeDiscovery } from '../../../src/gates/fleet-discovery.js';
import { observeServer } from '../../../src/gates/probes/topology-probe.js';
import { proxyAddressesFor } from '../../../src/gates/proxy-addresses.js';
import type {
  DeclaredServer,
  ObservedServer,
  ReachableObservation,
} from '../../../src/gates/server-observation.js';
import { compareTopology, inferTopology } from '../../../src/gates/topology-check.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';
import { FLAVOUR_QUERY } from '../../../src/model/server-flavour.js';

/** A fake SQL session: answers the statements it was given, refuses any other. */
function fakeSession(answers: Readonly<Record<string, readonly SqlRow[]>>): SqlSession & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    query: async (sql) => {
      asked.push(sql);
      const rows = answers[sql];
      if (rows === undefined) throw new Error(`You have an error in your SQL syntax near '${sql}'`);
      return rows;
    },
    close: async () => undefined,
  };
}

const common = (version: string, serverId: number): Record<string, readonly SqlRow[]> => ({
  [FLAVOUR_QUERY]: [{ version, comment: '' }],
  'SELECT @@GLOBAL.server_id AS value': [{ value: serverId }],
  'SELECT @@GLOBAL.read_only AS value': [{ value: 1 }],
  'SELECT CONNECTION_ID() AS value': [{ value: 9 }],
  'SELECT ID, USER, HOST, COMMAND FROM information_schema.PROCESSLIST': [
    { ID: 9, USER: 'dbwave', HOST: '10.9.0.1:5000', COMMAND: 'Query' },
  ],
});

describe('asking a server (fake session)', () => {
  it('uses the SLAVE forms on MySQL 5.7 and reads the old column names', async () => {
    const session = fakeSession({
      ...common('5.7.44-log', 2),
      'SHOW SLAVE STATUS': [
        {
          Master_Host: '10.0.0.1',
          Master_Port: 3306,
          Master_Server_Id: 1,
          Slave_IO_Running: 'Yes',
          Slave_SQL_Running: 'Yes',
        },
      ],
      'SHOW SLAVE HOSTS': [],
    });
    const observed = await observeServer(session);
    expect(session.asked).not.toContain('SHOW REPLICA STATUS');
    expect(observed).toMatchObject({
      serverId: 2,
      readOnly: true,
      source: { host: '10.0.0.1', port: 3306, serverId: 1, ioRunning: 'Yes' },
      replicas: [],
    });
  });

  it('uses SHOW REPLICA STATUS and SHOW REPLICAS on MySQL 8.0.22+, with the new column names', async () => {
    const session = fakeSession({
      ...common('8.0.36', 1),
      'SHOW REPLICA STATUS': [],
      'SHOW REPLICAS': [{ Server_Id: 2, Host: '10.0.0.2', Port: 3306, Source_Id: 1 }],
    });
    const observed = await observeServer(session);
    expect(observed.source).toBeUndefined();
    expect(observed.replicas).toEqual([{ serverId: 2, host: '10.0.0.2', port: 3306 }]);
  });
});

function observation(overrides: Partial<ReachableObservation> & { serverId: number }): ReachableObservation {
  return {
    reachable: true,
    version: '10.11.18-MariaDB',
    readOnly: false,
    replicas: [],
    connectionId: 1,
    processes: [],
    ...overrides,
  };
}

function server(
  declared: Partial<DeclaredServer> & { name: string },
  seen: ReachableObservation,
): ObservedServer {
  const index = Number(declared.name.replace(/\D/g, ''));
  return { declared: { host: `10.0.0.${index}`, port: 3306, ...declared }, observation: seen };
}

/** db1 -> db2 as the servers really are. */
const primary = observation({ serverId: 1, replicas: [{ serverId: 2, host: '10.0.0.2', port: 3306 }] });
const replica = observation({
  serverId: 2,
  readOnly: true,
  source: { host: '10.0.0.1', port: 3306, serverId: 1, ioRunning: 'Yes', sqlRunning: 'Yes' },
});

describe('declared topology against what the servers say', () => {
  it('passes when the class files say what the servers do', () => {
    const result = compareTopology([
      server({ name: 'db1', cluster: 'c1', role: 'primary' }, primary),
      server({ name: 'db2', cluster: 'c1', role: 'replica' }, replica),
      server({ name: 'db3' }, observation({ serverId: 3 })),
    ]);
    expect(result.mismatches).toEqual([]);
    expect(result.places.map((place) => [place.server, place.role, place.source])).toEqual([
      ['db1', 'primary', undefined],
      ['db2', 'replica', 'db1'],
      ['db3', 'primary', undefined],
    ]);
  });

  it('names both facts when a declared primary replicates from another server', () => {
    const { mismatches } = compareTopology([
      server({ name: 'db1', cluster: 'c1', role: 'primary' }, primary),
      server({ name: 'db2', cluster: 'c1', role: 'primary' }, replica),
    ]);
    expect(mismatches).toEqual([
      {
        server: 'db2',
        declared: 'primary of cluster c1',
        observed: 'replica of db1',
        involves: ['db2', 'db1'],
      },
    ]);
  });

  it('names a declared replica that replicates from nobody and is writable as a primary', () => {
    const { mismatches } = compareTopology([
      server({ name: 'db1', cluster: 'c1', role: 'primary' }, observation({ serverId: 1 })),
      server({ name: 'db2', cluster: 'c1', role: 'replica' }, observation({ serverId: 2 })),
    ]);
    expect(mismatches.map((m) => [m.server, m.declared, m.observed])).toEqual([
      [
        'db2',
        'replica in cluster c1, whose primary is db1',
        'replicates from nobody (no replication source), read_only OFF: a primary',
      ],
    ]);
  });

  it('names a primary whose replica is in no hardware class', () => {
    const { mismatches } = compareTopology([
      server({ name: 'db1', cluster: 'c1', role: 'primary' }, primary),
    ]);
    expect(mismatches.map((m) => m.observed)).toEqual([
      'server id 2 at 10.0.0.2:3306 replicates from it and is in no hardware class',
    ]);
  });

  it("names a replica of a server other than its cluster's primary", () => {
    const { mismatches } = compareTopology([
      server({ name: 'db1', cluster: 'c1', role: 'primary' }, primary),
      server({ name: 'db2', cluster: 'c9', role: 'replica' }, replica),
      server({ name: 'db3', cluster: 'c9', role: 'primary' }, observation({ serverId: 3 })),
    ]);
    expect(mismatches.map((m) => [m.server, m.declared, m.observed])).toEqual([
      ['db2', 'replica in cluster c9, whose primary is db3', 'replica of db1 (primary of cluster c1)'],
    ]);
  });

  it('recognises a source by its address when its server id is not known yet', () => {
    const { mismatches } = compareTopology([
      server({ name: 'db1', cluster: 'c1', role: 'primary' }, observation({ serverId: 1 })),
      server(
        { name: 'db2', cluster: 'c1', role: 'replica' },
        observation({
          serverId: 2,
          source: { host: '10.0.0.1', port: 3306, ioRunning: 'Connecting', sqlRunning: 'Yes' },
        }),
      ),
    ]);
    expect(mismatches).toEqual([]);
  });

  it('leaves a server that cannot be asked unconfirmed, not mismatched', () => {
    const result = compareTopology([
      {
        declared: { name: 'db1', host: '10.0.0.1', port: 3306 },
        observation: { reachable: false, error: 'ECONNREFUSED' },
      },
    ]);
    expect(result).toMatchObject({ mismatches: [], unobserved: [{ server: 'db1', error: 'ECONNREFUSED' }] });
  });

  it('takes an unknown replica of a primary for its declared replica that cannot be asked (stopped mid-upgrade), not a stranger', () => {
    const down = {
      declared: { name: 'db2', host: '127.0.0.1', port: 3307, cluster: 'c1', role: 'replica' as const },
      observation: { reachable: false as const, error: 'ECONNREFUSED' },
    };
    const registeredAtLoopback = observation({
      serverId: 1,
      replicas: [{ serverId: 2, host: '127.0.0.1', port: 3306 }],
    });
    expect(
      compareTopology([server({ name: 'db1', cluster: 'c1', role: 'primary' }, registeredAtLoopback), down])
        .mismatches,
    ).toEqual([]);
    const stranger = observation({
      serverId: 1,
      replicas: [
        { serverId: 2, host: '127.0.0.1', port: 3306 },
        { serverId: 9, host: '10.9.9.9', port: 3306 },
      ],
    });
    expect(
      compareTopology([
        server({ name: 'db1', cluster: 'c1', role: 'primary' }, stranger),
        down,
      ]).mismatches.map((m) => m.observed),
    ).toEqual(['server id 9 at 10.9.9.9:3306 replicates from it and is in no hardware class']);
  });

  it('infers one cluster per primary, keeping the name its members are declared with', () => {
    const entries = inferTopology([
      server({ name: 'db1' }, primary),
      server({ name: 'db2', cluster: 'orders' }, replica),
      server({ name: 'db3', cluster: 'stale', role: 'replica' }, observation({ serverId: 3 })),
    ]);
    expect(Object.fromEntries(entries)).toEqual({
      db1: { cluster: 'orders', role: 'primary' },
      db2: { cluster: 'orders', role: 'replica' },
      db3: 'none',
    });
  });

  it('names a new cluster after its primary when nobody declared one', () => {
    const entries = inferTopology([server({ name: 'db1' }, primary), server({ name: 'db2' }, replica)]);
    expect(entries.get('db2')).toEqual({ cluster: 'db1', role: 'replica' });
  });
});

describe('who else talks to a server', () => {
  const seen = observation({
    serverId: 1,
    connectionId: 10,
    processes: [
      { id: 10, user: 'dbwave', host: '10.9.0.1:5000', command: 'Query' },
      { id: 11, user: 'app', host: '10.9.0.1:5001', command: 'Sleep' },
      { id: 12, user: 'app', host: '10.9.0.1:5002', command: 'Sleep' },
      { id: 13, user: 'repl', host: '10.0.0.2:4000', command: 'Binlog Dump' },
      { id: 14, user: 'cron', host: '10.7.1.4:6000', command: 'Sleep' },
      { id: 15, user: 'backup', host: '10.7.2.8:6001', command: 'Query' },
      { id: 16, user: 'system user', host: '', command: 'Daemon' },
    ],
  });

  it('groups by user and host without port, leaving out dbwave and the server itself', () => {
    const clients = connectedClients(seen, {
      proxyAddresses: ['10.9.0.1'],
      expected: [{ user: 'backup', host: '10.7.%' }],
    });
    expect(clients).toEqual([
      { user: 'backup', host: '10.7.2.8', connections: 1, path: 'direct', expected: true },
      { user: 'cron', host: '10.7.1.4', connections: 1, path: 'direct', expected: false },
      { user: 'app', host: '10.9.0.1', connections: 2, path: 'proxy', expected: false },
      { user: 'repl', host: '10.0.0.2', connections: 1, path: 'replication', expected: false },
    ]);
    expect(unexpectedClients(clients).map((client) => client.user)).toEqual(['cron']);
  });

  it('drops the port of IPv4, bracketed IPv6 and hostnames; keeps localhost', () => {
    expect(['10.0.0.1:33', '[::1]:44', 'batch-1.phx:55', 'localhost'].map(hostWithoutPort)).toEqual([
      '10.0.0.1',
      '::1',
      'batch-1.phx',
      'localhost',
    ]);
  });

  const campaign = (input: Record<string, unknown>) =>
    campaignSchema.parse({
      campaign: 't',
      fleet: 'f',
      timezone: 'UTC',
      from: { version: '1' },
      to: { version: '2' },
      window: { start: '00:00', end: '23:00' },
      waves: [{ date: '2026-01-01', size: 'rest' }],
      ...input,
    });

  it('takes the proxy addresses from the campaign, else infers them from the haproxy socket', () => {
    const haproxy = { adapter: 'haproxy', backend: '{{shard}}', server: '{{name}}' };
    expect(
      proxyAddressesFor(campaign({ clients: { proxyAddresses: ['10.1.%'] } }), '10.9.0.1').addresses,
    ).toEqual(['10.1.%']);
    expect(
      proxyAddressesFor(campaign({ maintenance: { ...haproxy, socket: 'tcp://10.5.0.5:9999' } }), '10.9.0.1')
        .addresses,
    ).toEqual(['10.5.0.5']);
    expect(
      proxyAddressesFor(campaign({ maintenance: { ...haproxy, socket: 'haproxy.sock' } }), '10.9.0.1')
        .addresses,
    ).toEqual(['10.9.0.1']);
    expect(proxyAddressesFor(campaign({}), '10.9.0.1').addresses).toEqual([]);
  });

  it('marks every client direct when no proxy is known, and lists the unexpected ones per server', () => {
    const discovery = judgeDiscovery([server({ name: 'db1' }, seen)], campaign({}));
    expect(
      discovery.unexpected.map(({ server: name, client }) => `${name} ${client.user}@${client.host}`),
    ).toEqual(['db1 app@10.9.0.1', 'db1 backup@10.7.2.8', 'db1 cron@10.7.1.4']);
  });
});
