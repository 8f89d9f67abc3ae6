import { InputError } from '../core/errors.js';
import type { SqlSession } from '../engine/ports/sql-session.js';
import { type FleetDiscovery, judgeDiscovery } from '../gates/fleet-discovery.js';
import { observeServers } from '../gates/probes/topology-probe.js';
import type { ObservedServer } from '../gates/server-observation.js';
import type { Inventory } from '../inventory/load-inventory.js';
import { serverResolver } from '../model/resolve-server.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { campaignAdapters } from './campaign-adapters.js';

/** Opens an SQL session to a server: the campaign's MySQL settings, or a test's fake. */
export type SqlConnector = (server: ResolvedServer) => Promise<SqlSession>;

/** What the fleet's servers said, and its judgement against the class files and the campaign. */
export interface ObservedFleet {
  readonly observed: readonly ObservedServer[];
  readonly discovery: FleetDiscovery;
}

/**
 * Asks every server of the inventory (every class, not only a wave's: a replica is recognised
 * by its server id, which only asking it tells) what it is in replication and who is connected,
 * and judges the answers. Connects with `sql`, or with the campaign's MySQL settings.
 */
export async function observeFleet(inventory: Inventory, sql?: SqlConnector): Promise<ObservedFleet> {
  const { campaign, classes, campaignFile } = inventory;
  const servers = serverResolver(classes, campaign).all();
  if (sql !== undefined) return judged(await observeServers(servers, sql), inventory);
  if (campaign.mysql === undefined) {
    throw InputError.of(campaignFile, 'mysql', 'is needed to ask the servers: set at least mysql.user');
  }
  const adapters = await campaignAdapters({ campaign, campaignFile });
  try {
    return judged(await observeServers(servers, (server) => adapters.connectors.sql(server)), inventory);
  } finally {
    await adapters.close().catch(() => undefined);
  }
}

function judged(observed: readonly ObservedServer[], inventory: Inventory): ObservedFleet {
  return { observed, discovery: judgeDiscovery(observed, inventory.campaign) };
}
