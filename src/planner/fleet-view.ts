import { type HardwareClass, type ServerSpec, serverDatacenter } from '../model/hardware-class-schema.js';
import { stableHash } from './stable-hash.js';

/** One server as the planner sees it: where it came from and what it is stratified by. */
export interface FleetServer {
  readonly name: string;
  readonly classId: string;
  /** Index of its class in the fleet, sorted by class id. */
  readonly classIndex: number;
  /** Index in its class file's `servers:` list, for error locations. */
  readonly serverIndex: number;
  /** Index in the view's `servers`: what per-server tables of a check are indexed by. */
  readonly position: number;
  /** md layout and datacenter: the planner spreads each class across these inside every wave. */
  readonly substratum: string;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
  /** {@link stableHash} of its name. */
  readonly hash: number;
}

/**
 * The fleet sorted and flattened once: classes by id, servers in file order. The loader builds it
 * for its topology checks and carries it in the inventory, so that the planner and `check` take
 * that one instead of building their own (at 100,000 servers each build is a fifth of a second).
 */
export interface FleetView {
  readonly classes: readonly HardwareClass[];
  readonly servers: readonly FleetServer[];
  readonly byName: ReadonlyMap<string, FleetServer>;
}

/** What the planner takes: the fleet's classes, or their view when the caller has it already. */
export type Fleet = readonly HardwareClass[] | FleetView;

/** The view of `fleet`: the one given, or one built from its classes. */
export function viewOf(fleet: Fleet): FleetView {
  return 'servers' in fleet ? fleet : fleetView(fleet);
}

export function fleetView(fleet: readonly HardwareClass[]): FleetView {
  const classes = [...fleet].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  const servers: FleetServer[] = [];
  const byName = new Map<string, FleetServer>();
  for (let classIndex = 0; classIndex < classes.length; classIndex += 1) {
    const hardwareClass = classes[classIndex] as HardwareClass;
    const specs = hardwareClass.servers;
    for (let serverIndex = 0; serverIndex < specs.length; serverIndex += 1) {
      const spec = specs[serverIndex] as ServerSpec;
      // One object literal of one shape for every server (an absent cluster or role is an
      // undefined property): at 100,000 servers, conditional spreads cost a temporary per key.
      const server: FleetServer = {
        name: spec.name,
        classId: hardwareClass.id,
        classIndex,
        serverIndex,
        position: servers.length,
        substratum: `${spec.mdLayout ?? '-'} @ ${serverDatacenter(spec, hardwareClass)}`,
        cluster: spec.cluster,
        role: spec.role,
        hash: stableHash(spec.name),
      };
      servers.push(server);
      if (!byName.has(server.name)) byName.set(server.name, server);
    }
  }
  return { classes, servers, byName };
}

/** A replication cluster: its primary (if it is in the fleet) and its replicas. */
export interface ClusterView {
  readonly name: string;
  readonly primaries: readonly FleetServer[];
  readonly replicas: readonly FleetServer[];
}

interface ClusterEntry {
  primaries: FleetServer[];
  replicas: FleetServer[];
}

export function clustersOf(servers: readonly FleetServer[]): ClusterView[] {
  const clusters = new Map<string, ClusterEntry>();
  for (const server of servers) {
    if (server.cluster === undefined) continue;
    const entry = clusters.get(server.cluster) ?? { primaries: [], replicas: [] };
    if (server.role === 'primary') entry.primaries.push(server);
    else if (server.role === 'replica') entry.replicas.push(server);
    clusters.set(server.cluster, entry);
  }
  // Names sorted by the default order (UTF-16 code units, as `<` compares strings), without a
  // comparator that unpacks two entries per comparison.
  return [...clusters.keys()].sort().map((name) => ({ name, ...(clusters.get(name) as ClusterEntry) }));
}
