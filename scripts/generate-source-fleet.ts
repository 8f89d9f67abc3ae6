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

/** p50 and p95 of one step, as a class's `expected` holds them. */
type Timing = readonly [p50: string, p95: string];

/**
 * One service's servers in one class. Hostnames are `<service>-db<N>.<datacenter>.example.net`;
 * N continues where the service's group in an earlier class stopped.
 */
interface ServiceGroup {
  readonly service: string;
  /** md layouts dealt round-robin over the group. */
  readonly layouts: readonly string[];
  /** Replication clusters first, name -> replicas: a primary and that many replicas each. */
  readonly clusters?: Readonly<Record<string, number>>;
  /** The clusters' primaries are in another class: this group holds only their replicas. */
  readonly primaryElsewhere?: boolean;
  /** Then this many sharded singles, each its own shard. */
  readonly singles?: number;
}

/** What differs between the classes; the rest of a class file is the same for all (see `classFile`). */
interface ClassRow {
  readonly id: string;
  readonly description: string;
  readonly datacenter: string;
  readonly drives: number;
  /** The clean shutdown and the start: where the hardware shows. */
  readonly timings: { readonly shutdown: Timing; readonly start: Timing };
  readonly concurrency?: number;
  readonly groups: readonly ServiceGroup[];
}

/** A package switch takes as long on any hardware. */
const UPGRADE: Timing = ['1m', '3m'];

const CLASSES: readonly ClassRow[] = [
  {
    id: 'ix-6drive-phx-old',
    description: '6-drive iX (old PHX): 2U, 6 x 300 GB SAS, the oldest and slowest to shut down',
    datacenter: 'phx1',
    drives: 6,
    timings: { shutdown: ['8m', '45m'], start: ['1m', '4m'] },
    concurrency: 3,
    groups: [
      { service: 'users', layouts: ['raid10-n2'], clusters: { 'users-a': 2, 'users-b': 2 } },
      { service: 'sync', layouts: ['raid10-n2', 'raid5', 'raid1+0'], singles: 14 },
      { service: 'mail', layouts: ['raid5', 'raid10-n2'], singles: 10 },
      { service: 'search', layouts: ['raid1+0', 'raid5'], singles: 10 },
    ],
  },
  {
    id: 'ix-24drive-phx-new',
    description: '24-drive iX (new PHX): 4U, 24 x 600 GB SAS, the bulk of the sharded data',
    datacenter: 'phx2',
    drives: 24,
    timings: { shutdown: ['5m', '30m'], start: ['1m', '3m'] },
    groups: [
      { service: 'users', layouts: ['raid10-f2'], clusters: { 'users-c': 2, 'users-d': 2 } },
      { service: 'sync', layouts: ['raid10-f2', 'raid10-n2', 'raid6'], singles: 20 },
      { service: 'photos', layouts: ['raid6', 'raid5+0'], singles: 14 },
      { service: 'billing', layouts: ['raid10-f2'], clusters: { 'billing-a': 3 } },
      { service: 'feeds', layouts: ['raid10-n2', 'raid6'], singles: 6 },
    ],
  },
  {
    id: 'cuil-9drive-scl2',
    description: '9-drive Cuil (SCL2): 2U, 9 x 500 GB SATA, the west-coast copy and the newest shards',
    datacenter: 'scl2',
    drives: 9,
    timings: { shutdown: ['6m', '40m'], start: ['1m', '3m'] },
    concurrency: 3,
    groups: [
      { service: 'sessions', layouts: ['raid10-o2'], clusters: { 'sessions-a': 2, 'sessions-b': 2 } },
      { service: 'sync', layouts: ['raid5', 'raid10-o2', 'raid1+0'], singles: 16 },
      { service: 'contacts', layouts: ['raid10-o2', 'raid5'], singles: 10 },
      { service: 'calendar', layouts: ['raid1+0', 'raid5'], singles: 6 },
      // billing-a's west-coast replicas: their primary is a 24-drive iX in PHX.
      { service: 'billing', layouts: ['raid10-o2'], clusters: { 'billing-a': 2 }, primaryElsewhere: true },
    ],
  },
];

interface Membership {
  readonly cluster: string;
  readonly role: 'primary' | 'replica';
}

/** Cluster roles in server order (primary, then its replicas); the singles after them have none. */
function membershipsOf(group: ServiceGroup): (Membership | undefined)[] {
  const memberships: (Membership | undefined)[] = [];
  for (const [cluster, replicas] of Object.entries(group.clusters ?? {})) {
    if (group.primaryElsewhere !== true) memberships.push({ cluster, role: 'primary' });
    for (let replica = 0; replica < replicas; replica += 1) memberships.push({ cluster, role: 'replica' });
  }
  for (let single = 0; single < (group.singles ?? 0); single += 1) memberships.push(undefined);
  return memberships;
}

/** `nextNumber` carries each service's numbering from one class to the next. */
function serversOf(row: ClassRow, nextNumber: Map<string, number>): Record<string, unknown>[] {
  const servers: Record<string, unknown>[] = [];
  for (const group of row.groups) {
    const first = nextNumber.get(group.service) ?? 1;
    const memberships = membershipsOf(group);
    nextNumber.set(group.service, first + memberships.length);
    for (const [offset, membership] of memberships.entries()) {
      const number = first + offset;
      const name = `${group.service}-db${number}`;
      const shard =
        membership === undefined
          ? `${group.service}-${number}`
          : membership.role === 'primary'
            ? membership.cluster
            : `${membership.cluster}-ro`;
      servers.push({
        name,
        host: `${name}.${row.datacenter}.example.net`,
        mdLayout: group.layouts[offset % group.layouts.length],
        ...(membership === undefined ? {} : { cluster: membership.cluster, role: membership.role }),
        shard,
        dataDir: '/var/lib/mysql',
        errorLog: '/var/log/mysql/error.log',
        tags: [group.service],
      });
    }
  }
  return servers;
}

function timing([p50, p95]: Timing): { p50: string; p95: string } {
  return { p50, p95 };
}

/** A class file's document, its keys in the order the schema documents them. */
function classFile(row: ClassRow, servers: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    id: row.id,
    description: row.description,
    datacenter: row.datacenter,
    drives: row.drives,
    expected: {
      shutdown: timing(row.timings.shutdown),
      start: timing(row.timings.start),
      upgrade: timing(UPGRADE),
    },
    ...(row.concurrency === undefined ? {} : { concurrency: row.concurrency }),
    vars: { mysqlService: 'mysql' },
    servers,
  };
}

const HEADER = [
  '# yaml-language-server: $schema=../schemas/hardware-class.schema.json',
  '# Generated by scripts/generate-source-fleet.ts; edit that script or this file, then re-plan.',
  '',
].join('\n');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nextNumber = new Map<string, number>();
let total = 0;
for (const row of CLASSES) {
  const servers = serversOf(row, nextNumber);
  total += servers.length;
  const text = stringify(classFile(row, servers), { lineWidth: 0 });
  await writeFile(join(root, 'hardware-classes', `${row.id}.yaml`), `${HEADER}${text}`);
}
console.log(`wrote ${CLASSES.length} classes, ${total} servers`);
