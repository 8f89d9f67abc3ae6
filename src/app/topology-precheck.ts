import { describeClient } from '../gates/connected-clients.js';
import { describeMismatch, discoveryOf } from '../gates/fleet-discovery.js';
import type { Inventory } from '../inventory/load-inventory.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import type { CommandStreams } from './command-services.js';
import { observeFleet, type SqlConnector } from './observe-fleet.js';

/** The DBA's answer about unexpected clients: go on, or stop before any server is touched. */
export type UnexpectedClientsAnswer = 'continue' | 'pause';

/** Asks the DBA at a terminal; undefined when nobody answers (the campaign's clients.unexpected decides). */
export type AskAboutClients = (lines: readonly string[]) => Promise<UnexpectedClientsAnswer | undefined>;

export interface TopologyPrecheckOptions {
  readonly inventory: Inventory;
  /** The servers this run is about to work on. */
  readonly servers: readonly ResolvedServer[];
  readonly sql: SqlConnector;
  readonly streams: CommandStreams;
  /** At a terminal without --yes; absent, the campaign's clients.unexpected decides. */
  readonly ask?: AskAboutClients;
}

/**
 * The run's precheck for the whole wave, before any server is touched (campaign
 * `topologyPrecheck`): the servers of the wave and of their clusters must agree with their
 * class files' cluster and role, since the order "replicas before their primary" is only as good
 * as that topology; a mismatch stops the run with both facts. A client neither through the
 * maintenance proxy, replication, nor in clients.expected is inconclusive: the DBA decides, or
 * the campaign's clients.unexpected. A server that cannot be asked is noted and left to its own
 * per-server precheck (a resumed run finds servers stopped on purpose). True: the run may go on.
 */
export async function topologyPrecheck(options: TopologyPrecheckOptions): Promise<boolean> {
  const { inventory, streams } = options;
  const { campaign } = inventory;
  if (!campaign.topologyPrecheck) return true;
  const clusters = new Set(
    options.servers.flatMap((server) => (server.cluster === undefined ? [] : [server.cluster])),
  );
  const scope = new Set([
    ...options.servers.map((server) => server.name),
    ...inventory.classes.flatMap((hardwareClass) =>
      hardwareClass.servers
        .filter((server) => server.cluster !== undefined && clusters.has(server.cluster))
        .map((server) => server.name),
    ),
  ]);
  const discovery = discoveryOf((await observeFleet(inventory, options.sql, scope)).discovery, scope);
  const say = (line: string): void => {
    streams.stderr.write(`dbwave: precheck: ${line}\n`);
  };

  for (const entry of discovery.unobserved) {
    say(`${entry.server} could not be asked about its topology (its own precheck decides): ${entry.error}`);
  }
  if (discovery.mismatches.length > 0) {
    for (const mismatch of discovery.mismatches) say(`topology mismatch: ${describeMismatch(mismatch)}`);
    say(
      `${discovery.mismatches.length} topology mismatch(es): nothing was touched. Fix the class files (dbwave discover PLAN --write) or the servers, then run again`,
    );
    return false;
  }
  for (const server of discovery.servers) {
    for (const client of server.clients.filter((each) => each.path === 'direct' && each.expected)) {
      say(`expected client around the proxy: ${server.declared.name}: ${describeClient(client)}`);
    }
  }
  if (discovery.unexpected.length === 0) return true;

  const lines = discovery.unexpected.map(
    ({ server, client }) =>
      `${server}: ${describeClient(client)}: it will not see the 503 and will see errors when mysqld stops`,
  );
  for (const line of lines) say(`unexpected client: ${line}`);
  const answer = (await options.ask?.(lines)) ?? campaign.clients.unexpected;
  if (answer === 'pause') {
    say(
      "stopped before any server was touched: tell the clients' owners or stop them, or name them in clients.expected, then run again",
    );
    return false;
  }
  say('going on despite the unexpected clients');
  return true;
}
