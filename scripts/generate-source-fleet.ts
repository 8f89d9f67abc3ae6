/**
 * Writes hardware-classes/*.yaml: the source case's fleet of 130 InnoDB servers in three hardware
 * classes (6-drive iX in old PHX, 24-drive iX in new PHX, 9-drive Cuil in SCL2), with the md
 * layouts, replication clusters and shards a real fleet of that era had. Deterministic: the
 * committed files are its output, regenerate with `npx tsx scripts/generate-source-fleet.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

interface ServiceGroup {
  /** Hostnames are `<service>-db<N>.<datacenter>.example.net`. */
  readonly service: string;
  readonly count: number;
  /** First N in the hostname (a service spread over classes continues its numbering). */
  readonly first: number;
  /** md layouts dealt round-robin over the group. */
  readonly layouts: readonly string[];
  /** Replication clusters of `1 + replicas` servers, from the start of the group; the rest are sharded singles. */
  readonly clusters?: readonly {
    readonly name: string;
    readonly replicas: number;
    readonly primaryElsewhere?: boolean;
  }[];
}

interface ClassShape {
  readonly id: string;
  readonly description: string;
  readonly datacenter: string;
  readonly drives: number;
  readonly expected: Record<string, { p50: string; p95: string }>;
  readonly concurrency?: number;
  readonly vars: Record<string, string>;
  readonly groups: readonly ServiceGroup[];
}

const CLASSES: readonly ClassShape[] = [
  {
    id: 'ix-6drive-phx-old',
    description: '6-drive iX (old PHX): 2U, 6 x 300 GB SAS, the oldest and slowest to shut down',
    datacenter: 'phx1',
    drives: 6,
    expected: {
      shutdown: { p50: '8m', p95: '45m' },
      start: { p50: '1m', p95: '4m' },
      upgrade: { p50: '1m', p95: '3m' },
    },
    concurrency: 3,
    vars: { mysqlService: 'mysql' },
    groups: [
      {
        service: 'users',
        count: 6,
        first: 1,
        layouts: ['raid10-n2'],
        clusters: [
          { name: 'users-a', replicas: 2 },
          { name: 'users-b', replicas: 2 },
        ],
      },
      { service: 'sync', count: 14, first: 1, layouts: ['raid10-n2', 'raid5', 'raid1+0'] },
      { service: 'mail', count: 10, first: 1, layouts: ['raid5', 'raid10-n2'] },
      { service: 'search', count: 10, first: 1, layouts: ['raid1+0', 'raid5'] },
    ],
  },
  {
    id: 'ix-24drive-phx-new',
    description: '24-drive iX (new PHX): 4U, 24 x 600 GB SAS, the bulk of the sharded data',
    datacenter: 'phx2',
    drives: 24,
    expected: {
      shutdown: { p50: '5m', p95: '30m' },
      start: { p50: '1m', p95: '3m' },
      upgrade: { p50: '1m', p95: '3m' },
    },
    vars: { mysqlService: 'mysql' },
    groups: [
      {
        service: 'users',
        count: 6,
        first: 7,
        layouts: ['raid10-f2'],
        clusters: [
          { name: 'users-c', replicas: 2 },
          { name: 'users-d', replicas: 2 },
        ],
      },
      { service: 'sync', count: 20, first: 15, layouts: ['raid10-f2', 'raid10-n2', 'raid6'] },
      { service: 'photos', count: 14, first: 1, layouts: ['raid6', 'raid5+0'] },
      {
        service: 'billing',
        count: 4,
        first: 1,
        layouts: ['raid10-f2'],
        clusters: [{ name: 'billing-a', replicas: 3 }],
      },
      { service: 'feeds', count: 6, first: 1, layouts: ['raid10-n2', 'raid6'] },
    ],
  },
  {
    id: 'cuil-9drive-scl2',
    description: '9-drive Cuil (SCL2): 2U, 9 x 500 GB SATA, the west-coast copy and the newest shards',
    datacenter: 'scl2',
    drives: 9,
    expected: {
      shutdown: { p50: '6m', p95: '40m' },
      start: { p50: '1m', p95: '3m' },
      upgrade: { p50: '1m', p95: '3m' },
    },
    concurrency: 3,
    vars: { mysqlService: 'mysql' },
    groups: [
      {
        service: 'sessions',
        count: 6,
        first: 1,
        layouts: ['raid10-o2'],
        clusters: [
          { name: 'sessions-a', replicas: 2 },
          { name: 'sessions-b', replicas: 2 },
        ],
      },
      { service: 'sync', count: 16, first: 35, layouts: ['raid5', 'raid10-o2', 'raid1+0'] },
      { service: 'contacts', count: 10, first: 1, layouts: ['raid10-o2', 'raid5'] },
      { service: 'calendar', count: 6, first: 1, layouts: ['raid1+0', 'raid5'] },
      // billing-a's west-coast replicas: their primary is a 24-drive iX in PHX.
      {
        service: 'billing',
        count: 2,
        first: 5,
        layouts: ['raid10-o2'],
        clusters: [{ name: 'billing-a', replicas: 2, primaryElsewhere: true }],
      },
    ],
  },
];

function serversOf(shape: ClassShape): Record<string, unknown>[] {
  const servers: Record<string, unknown>[] = [];
  for (const group of shape.groups) {
    const roles: { cluster?: string; role?: 'primary' | 'replica' }[] = [];
    for (const cluster of group.clusters ?? []) {
      if (cluster.primaryElsewhere !== true) roles.push({ cluster: cluster.name, role: 'primary' });
      for (let replica = 0; replica < cluster.replicas; replica += 1)
        roles.push({ cluster: cluster.name, role: 'replica' });
    }
    for (let offset = 0; offset < group.count; offset += 1) {
      const number = group.first + offset;
      const name = `${group.service}-db${number}`;
      const membership = roles[offset];
      const shard =
        membership?.cluster === undefined
          ? `${group.service}-${number}`
          : membership.role === 'primary'
            ? membership.cluster
            : `${membership.cluster}-ro`;
      servers.push({
        name,
        host: `${name}.${shape.datacenter}.example.net`,
        mdLayout: group.layouts[offset % group.layouts.length],
        ...(membership?.cluster === undefined ? {} : { cluster: membership.cluster, role: membership.role }),
        shard,
        dataDir: '/var/lib/mysql',
        errorLog: '/var/log/mysql/error.log',
        tags: [group.service],
      });
    }
  }
  return servers;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let total = 0;
for (const shape of CLASSES) {
  const { groups: _groups, ...head } = shape;
  const servers = serversOf(shape);
  total += servers.length;
  const text = stringify({ ...head, servers }, { lineWidth: 0 });
  const header = [
    '# yaml-language-server: $schema=../schemas/hardware-class.schema.json',
    '# Generated by scripts/generate-source-fleet.ts; edit that script or this file, then re-plan.',
    '',
  ].join('\n');
  await writeFile(join(root, 'hardware-classes', `${shape.id}.yaml`), `${header}${text}`);
}
console.log(`wrote ${CLASSES.length} classes, ${total} servers`);
