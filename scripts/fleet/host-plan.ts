/**
 * The fleet's shape, decided before anything is started: which host is which, in which hardware
 * class, serving which shard. Pure, so `up`, the YAML writers and the tests derive the same
 * answer from the same count.
 */

export interface HardwareClassShape {
  readonly id: string;
  readonly description: string;
  readonly drives: number;
  /** Small pools keep 9 servers well under a gigabyte, and still give real dirty pages. */
  readonly bufferPool: string;
}

/** Three classes, like the source case's three kinds of machines; servers go round-robin. */
export const HARDWARE_CLASSES: readonly HardwareClassShape[] = [
  { id: 'fleet-small', description: 'Local fleet, small class', drives: 1, bufferPool: '32M' },
  { id: 'fleet-medium', description: 'Local fleet, medium class', drives: 2, bufferPool: '48M' },
  { id: 'fleet-large', description: 'Local fleet, large class', drives: 4, bufferPool: '64M' },
];

export interface HostSpec {
  /** 1-based. */
  readonly index: number;
  readonly name: string;
  /** FLEET_NET.<index> (127.0.1.<index>): every loopback address answers on Linux without configuration. */
  readonly address: string;
  readonly mysqlPort: number;
  readonly hardwareClass: HardwareClassShape;
  readonly shard: string;
  /** The shard's database (shard names hold a dash, which SQL would need quoted). */
  readonly database: string;
  readonly serverId: number;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
  /** Port of the shard app behind HAProxy for this shard. */
  readonly appPort: number;
}

export const MAX_SERVERS = 200;

/**
 * The /24 of loopback the fleet's hosts live on: `127.0.1` unless `DBWAVE_FLEET_NET` names
 * another (e.g. `127.0.2`), so that two checkouts on one machine can each run a fleet.
 */
export const FLEET_NET: string = fleetNet(process.env.DBWAVE_FLEET_NET);

/**
 * Added to the fleet's fixed TCP ports on 127.0.0.1 (HAProxy's, the shard apps'): 0 on 127.0.1,
 * 1000 on 127.0.2, and so on, so that fleets on different nets never ask for the same port.
 */
export const FLEET_PORT_OFFSET: number = (Number(FLEET_NET.split('.')[2]) - 1) * 1000;

function fleetNet(value: string | undefined): string {
  if (value === undefined || value === '') return '127.0.1';
  const third = /^127\.0\.(\d{1,2})$/.exec(value)?.[1];
  if (third === undefined || Number(third) < 1 || Number(third) > 40) {
    throw new Error(`DBWAVE_FLEET_NET must be 127.0.N with N from 1 to 40 (e.g. 127.0.2), not ${value}`);
  }
  return value;
}
export const MYSQL_PORT = 3306;

export function hostName(index: number): string {
  return `db${index}`;
}

export function planHosts(count: number, appBasePort: number): readonly HostSpec[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SERVERS) {
    throw new Error(`--servers must be a whole number from 1 to ${MAX_SERVERS}, not ${count}`);
  }
  return Array.from({ length: count }, (_, offset): HostSpec => {
    const index = offset + 1;
    const hardwareClass = HARDWARE_CLASSES[offset % HARDWARE_CLASSES.length] as HardwareClassShape;
    // db1 -> db2 is a real replication pair (cluster c1) when there are at least two servers,
    // so that "replicas before their primary" and replication gates have something real to see.
    const clustered = count >= 2 && index <= 2;
    return {
      index,
      name: hostName(index),
      address: `${FLEET_NET}.${index}`,
      mysqlPort: MYSQL_PORT,
      hardwareClass,
      shard: `shard-${index}`,
      database: `shard_${index}`,
      serverId: index,
      ...(clustered
        ? { cluster: 'c1', role: index === 1 ? ('primary' as const) : ('replica' as const) }
        : {}),
      appPort: appBasePort + index,
    };
  });
}

/** The primary a replica copies from, if any. */
export function primaryOf(host: HostSpec, hosts: readonly HostSpec[]): HostSpec | undefined {
  if (host.role !== 'replica') return undefined;
  return hosts.find((other) => other.cluster === host.cluster && other.role === 'primary');
}
