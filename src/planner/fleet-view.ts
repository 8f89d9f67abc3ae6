import type { HardwareClass } from '../model/hardware-class-schema.js';
import { stableHash } from './stable-hash.js';

/** One server as the planner sees it: where it came from and what it is stratified by. */
export interface FleetServer {
  readonly name: string;
  readonly classId: string;
  /** Index of its class in the fleet, sorted by class id. */
  readonly classIndex: number;
  /** Index in its class file's `servers:` list, for error locations. */
  readonly serverIndex: number;
  /** md layout and datacenter: the planner spreads each class across these inside every wave. */
  readonly substratum: string;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
  readonly hash: number;
}

/** The fleet sorted and flattened once: classes by id, servers in file order. */
export interface FleetView {
  readonly classes: readonly HardwareClass[];
  readonly servers: readonly FleetServer[];
  readonly byName: ReadonlyMap<string, FleetServer>;
}

export function fleetView(fleet: readonly HardwareClass[]): FleetView {
  const classes = [...fleet].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  const servers: FleetServer[] = [];
  classes.forEach((hardwareClass, classIndex) => {
    hardwareClass.servers.forEach((server, serverIndex) => {
      const datacenter = server.datacenter ?? hardwareClass.datacenter;
      servers.push({
        name: server.name,
        classId: hardwareClass.id,
        classIndex,
        serverIndex,
        substratum: `${server.mdLayout ?? '-'} @ ${datacenter}`,
        ...(server.cluster === undefined ? {} : { cluster: server.cluster }),
        ...(server.role === undefined ? {} : { role: server.role }),
        hash: stableHash(server.name),
      });
    });
  });
  const byName = new Map<string, FleetServer>();
  for (const server of servers) if (!byName.has(server.name)) byName.set(server.name, server);
  return { classes, servers, byName };
}

/** A replication cluster: its primary (if it is in the fleet) and its replicas. */
export interface ClusterView {
  readonly name: string;
  readonly primaries: readonly FleetServer[];
  readonly replicas: readonly FleetServer[];
}

export function clustersOf(servers: readonly FleetServer[]): ClusterView[] {
  const clusters = new Map<string, { primaries: FleetServer[]; replicas: FleetServer[] }>();
  for (const server of servers) {
    if (server.cluster === undefined) continue;
    const entry = clusters.get(server.cluster) ?? { primaries: [], replicas: [] };
    if (server.role === 'primary') entry.primaries.push(server);
    else if (server.role === 'replica') entry.replicas.push(server);
    clusters.set(server.cluster, entry);
  }
  return [...clusters.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([name, entry]) => ({ name, ...entry }));
}
