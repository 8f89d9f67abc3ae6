import type { DeclaredTopology } from '../model/declared-topology.js';
import type {
  DeclaredServer,
  ObservedServer,
  ObservedSource,
  ReachableObservation,
  RegisteredReplica,
} from './server-observation.js';

/**
 * Declared topology against observed topology. The wave scheduler's rules (one server per
 * cluster in flight, replicas before their primary) are only as good as the `cluster` and `role`
 * a person typed into the class files; this says where the servers disagree, with both facts.
 * Pure: the observations are gathered elsewhere.
 */

/** One disagreement between the class files and a server. */
export interface TopologyMismatch {
  /** The server the mismatch is about. */
  readonly server: string;
  /** What the class files say, in words. */
  readonly declared: string;
  /** What the server says, in words. */
  readonly observed: string;
  /** Every inventory server the mismatch concerns (the server, its source, its primary). */
  readonly involves: readonly string[];
}

/** A server's place in replication as observed, for the table and for `discover --write`. */
export interface ObservedPlace {
  readonly server: string;
  readonly role: 'primary' | 'replica' | 'standalone';
  /** The inventory server it replicates from, or `host:port` when it is in no class. */
  readonly source?: string;
  /** Its registered replicas: inventory names, or `server id N at host:port`. */
  readonly replicas: readonly string[];
}

export interface TopologyComparison {
  readonly places: readonly ObservedPlace[];
  readonly mismatches: readonly TopologyMismatch[];
  /** Servers that could not be asked, with why: their topology is unconfirmed. */
  readonly unobserved: readonly { readonly server: string; readonly error: string }[];
}

type Reachable = { readonly declared: DeclaredServer; readonly observation: ReachableObservation };

/** Compares every observed server's declared cluster and role with what the servers say. */
export function compareTopology(servers: readonly ObservedServer[]): TopologyComparison {
  const lookup = serverLookup(servers);
  const places: ObservedPlace[] = [];
  const mismatches: TopologyMismatch[] = [];
  const unobserved: { server: string; error: string }[] = [];
  for (const server of servers) {
    if (!server.observation.reachable) {
      unobserved.push({ server: server.declared.name, error: server.observation.error });
      continue;
    }
    const reachable = server as Reachable;
    places.push(placeOf(reachable, lookup));
    mismatches.push(...mismatchesOf(reachable, lookup));
  }
  return { places, mismatches, unobserved };
}

interface ServerLookup {
  readonly byName: ReadonlyMap<string, ObservedServer>;
  /** The inventory server a source or a registered replica is, by server id, else by host:port. */
  resolve(link: {
    readonly serverId?: number;
    readonly host: string;
    readonly port: number;
  }): DeclaredServer | undefined;
  /** The declared primary of a cluster, when there is exactly one. */
  primaryOf(cluster: string): DeclaredServer | undefined;
  /** How many declared replicas of a cluster could not be asked (their server ids are unknown). */
  unobservedReplicasOf(cluster: string | undefined): number;
}

function serverLookup(servers: readonly ObservedServer[]): ServerLookup {
  const byName = new Map(servers.map((server) => [server.declared.name, server]));
  const byServerId = new Map<number, DeclaredServer>();
  const byAddress = new Map<string, DeclaredServer>();
  for (const { declared, observation } of servers) {
    if (observation.reachable) byServerId.set(observation.serverId, declared);
    byAddress.set(address(declared.host, declared.port), declared);
  }
  return {
    byName,
    resolve: (link) =>
      (link.serverId === undefined ? undefined : byServerId.get(link.serverId)) ??
      byAddress.get(address(link.host, link.port)),
    primaryOf: (cluster) => {
      const primaries = servers.filter(
        ({ declared }) => declared.cluster === cluster && declared.role === 'primary',
      );
      return primaries.length === 1 ? primaries[0]?.declared : undefined;
    },
    unobservedReplicasOf: (cluster) =>
      cluster === undefined
        ? 0
        : servers.filter(
            ({ declared, observation }) =>
              declared.cluster === cluster && declared.role === 'replica' && !observation.reachable,
          ).length,
  };
}

function placeOf({ declared, observation }: Reachable, lookup: ServerLookup): ObservedPlace {
  const replicas = observation.replicas.map((replica) => replicaText(replica, lookup));
  if (observation.source !== undefined) {
    return {
      server: declared.name,
      role: 'replica',
      source: sourceText(observation.source, lookup),
      replicas,
    };
  }
  return {
    server: declared.name,
    role: replicas.length > 0 || !observation.readOnly ? 'primary' : 'standalone',
    replicas,
  };
}

function mismatchesOf({ declared, observation }: Reachable, lookup: ServerLookup): TopologyMismatch[] {
  const found: TopologyMismatch[] = [];
  const mismatch = (said: string, seen: string, involves: readonly string[] = []): void => {
    found.push({
      server: declared.name,
      declared: said,
      observed: seen,
      involves: [declared.name, ...involves],
    });
  };
  const readOnly = `read_only ${observation.readOnly ? 'ON' : 'OFF'}`;
  const source = observation.source;
  if (source !== undefined) {
    const from = lookup.resolve(source);
    const seen = `replica of ${sourceText(source, lookup)}`;
    if (declared.role !== 'replica') {
      mismatch(declaredText(declared), seen, from === undefined ? [] : [from.name]);
    } else if (declared.cluster !== undefined) {
      const primary = lookup.primaryOf(declared.cluster);
      if (from === undefined) {
        mismatch(declaredText(declared, primary), `${seen}, which is in no hardware class`);
      } else if (primary === undefined || from.name !== primary.name) {
        mismatch(declaredText(declared, primary), `${seen} (${declaredText(from)})`, [
          from.name,
          ...(primary === undefined ? [] : [primary.name]),
        ]);
      }
    }
  } else if (declared.role === 'replica') {
    mismatch(
      declaredText(declared, declared.cluster === undefined ? undefined : lookup.primaryOf(declared.cluster)),
      `replicates from nobody (no replication source), ${readOnly}: ${observation.readOnly ? 'not a replica' : 'a primary'}`,
    );
  } else if (declared.role === 'primary' && observation.readOnly) {
    mismatch(declaredText(declared), `${readOnly} and no replication source: it takes no writes`);
  }
  // A declared replica that could not be asked (stopped mid-upgrade, say) has no known server id:
  // as many unknown registered replicas as there are such replicas may be them, not strangers.
  let mayBeUnobserved = lookup.unobservedReplicasOf(declared.cluster);
  for (const replica of observation.replicas) {
    if (lookup.resolve(replica) === undefined) {
      if (mayBeUnobserved > 0) {
        mayBeUnobserved -= 1;
        continue;
      }
      mismatch(
        declaredText(declared),
        `server id ${replica.serverId} at ${address(replica.host, replica.port)} replicates from it and is in no hardware class`,
      );
    }
  }
  return found;
}

/** The class files' claim, in words. */
function declaredText(declared: DeclaredServer, primary?: DeclaredServer): string {
  if (declared.cluster === undefined) return 'in no cluster';
  if (declared.role === undefined) return `in cluster ${declared.cluster} with no role`;
  if (declared.role === 'primary') return `primary of cluster ${declared.cluster}`;
  return `replica in cluster ${declared.cluster}${primary === undefined ? ' (which has no single primary)' : `, whose primary is ${primary.name}`}`;
}

function sourceText(source: ObservedSource, lookup: ServerLookup): string {
  const known = lookup.resolve(source);
  return known?.name ?? address(source.host, source.port);
}

function replicaText(replica: RegisteredReplica, lookup: ServerLookup): string {
  return (
    lookup.resolve(replica)?.name ?? `server id ${replica.serverId} at ${address(replica.host, replica.port)}`
  );
}

function address(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The cluster and role each observed server should be declared with: every server that
 * replicates, directly or through another, from the same inventory server is one cluster, its
 * root the primary. The cluster keeps the name most of its members are declared with (the
 * primary's on a tie), else takes the primary's name. A server in no replication gets `none`; a
 * server that could not be asked, or whose source is in no hardware class, is left out.
 */
export function inferTopology(servers: readonly ObservedServer[]): ReadonlyMap<string, DeclaredTopology> {
  const lookup = serverLookup(servers);
  const rootOf = (name: string, seen: Set<string> = new Set()): string | undefined => {
    const observation = lookup.byName.get(name)?.observation;
    if (observation === undefined || !observation.reachable) return undefined;
    if (observation.source === undefined) return name;
    const from = lookup.resolve(observation.source);
    if (from === undefined || seen.has(name)) return undefined;
    seen.add(name);
    return rootOf(from.name, seen);
  };
  const members = new Map<string, string[]>();
  for (const { declared, observation } of servers) {
    if (!observation.reachable) continue;
    const root = rootOf(declared.name);
    if (root === undefined) continue;
    members.set(root, [...(members.get(root) ?? []), declared.name]);
  }
  const entries = new Map<string, DeclaredTopology>();
  for (const [root, names] of members) {
    if (names.length === 1) {
      entries.set(root, 'none');
      continue;
    }
    const cluster = clusterName(
      root,
      names.map((name) => lookup.byName.get(name)?.declared),
    );
    for (const name of names) entries.set(name, { cluster, role: name === root ? 'primary' : 'replica' });
  }
  return entries;
}

function clusterName(root: string, members: readonly (DeclaredServer | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const member of members) {
    if (member?.cluster !== undefined) counts.set(member.cluster, (counts.get(member.cluster) ?? 0) + 1);
  }
  const rootCluster = members.find((member) => member?.name === root)?.cluster;
  let best: string | undefined;
  for (const [cluster, count] of counts) {
    const bestCount = best === undefined ? 0 : (counts.get(best) ?? 0);
    if (count > bestCount || (count === bestCount && cluster === rootCluster)) best = cluster;
  }
  return best ?? root;
}
