import type { Campaign } from '../model/campaign-schema.js';
import {
  type ConnectedClient,
  connectedClients,
  ownAddress,
  unexpectedClients,
} from './connected-clients.js';
import { type ProxyAddresses, proxyAddressesFor } from './proxy-addresses.js';
import type { DeclaredServer, ObservedServer } from './server-observation.js';
import {
  compareTopology,
  type ObservedPlace,
  type TopologyComparison,
  type TopologyMismatch,
} from './topology-check.js';

/** One server as `discover`, the checklist and the run precheck show it. */
export interface ServerDiscovery {
  readonly declared: DeclaredServer;
  /** Absent when the server could not be asked. */
  readonly version?: string;
  readonly readOnly?: boolean;
  readonly place?: ObservedPlace;
  /** Why the server could not be asked. */
  readonly error?: string;
  readonly clients: readonly ConnectedClient[];
  readonly proxy: ProxyAddresses;
}

/** Everything learnt from asking the servers, judged against the class files and the campaign. */
export interface FleetDiscovery {
  readonly servers: readonly ServerDiscovery[];
  readonly mismatches: readonly TopologyMismatch[];
  readonly unobserved: TopologyComparison['unobserved'];
  /** Clients neither through the proxy, replication, nor in clients.expected. */
  readonly unexpected: readonly { readonly server: string; readonly client: ConnectedClient }[];
}

/** Judges what the servers said: their topology against the class files, their clients against the campaign. */
export function judgeDiscovery(
  observed: readonly ObservedServer[],
  campaign: Pick<Campaign, 'clients' | 'maintenance'>,
): FleetDiscovery {
  const comparison = compareTopology(observed);
  const places = new Map(comparison.places.map((place) => [place.server, place]));
  const servers = observed.map(({ declared, observation }): ServerDiscovery => {
    if (!observation.reachable) {
      return {
        declared,
        error: observation.error,
        clients: [],
        proxy: proxyAddressesFor(campaign, undefined),
      };
    }
    const proxy = proxyAddressesFor(campaign, ownAddress(observation));
    const place = places.get(declared.name);
    return {
      declared,
      version: observation.version,
      readOnly: observation.readOnly,
      ...(place === undefined ? {} : { place }),
      clients: connectedClients(observation, {
        proxyAddresses: proxy.addresses,
        expected: campaign.clients.expected,
      }),
      proxy,
    };
  });
  return {
    servers,
    mismatches: comparison.mismatches,
    unobserved: comparison.unobserved,
    unexpected: servers.flatMap((server) =>
      unexpectedClients(server.clients).map((client) => ({ server: server.declared.name, client })),
    ),
  };
}

/** The part of a discovery that concerns `names` (a wave's servers and their clusters). */
export function discoveryOf(discovery: FleetDiscovery, names: ReadonlySet<string>): FleetDiscovery {
  return {
    servers: discovery.servers.filter((server) => names.has(server.declared.name)),
    mismatches: discovery.mismatches.filter((mismatch) => mismatch.involves.some((name) => names.has(name))),
    unobserved: discovery.unobserved.filter((entry) => names.has(entry.server)),
    unexpected: discovery.unexpected.filter((entry) => names.has(entry.server)),
  };
}

/** `db2: declared primary of cluster c1; observed replica of db1`. */
export function describeMismatch(mismatch: TopologyMismatch): string {
  return `${mismatch.server}: declared ${mismatch.declared}; observed ${mismatch.observed}`;
}
