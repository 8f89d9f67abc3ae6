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
 * Asks the servers `scope` names (default: every server of the inventory) what they are in
 * replication and who is connected, and judges the answers. A replica or a source is recognised
 * by its server id, which only asking it tells: when one named in scope is not recognised, the
 * rest of the inventory is asked too before anything is called "in no hardware class". Connects
 * with `sql`, or with the campaign's MySQL settings.
 */
export async function observeFleet(
  inventory: Inventory,
  sql?: SqlConnector,
  scope?: ReadonlySet<string>,
): Promise<ObservedFleet> {
  const { campaign, campaignFile } = inventory;
  if (sql !== undefined) return observeWith(inventory, sql, scope);
  if (campaign.mysql === undefined) {
    throw InputError.of(campaignFile, 'mysql', 'is needed to ask the servers: set at least mysql.user');
  }
  const adapters = await campaignAdapters({ campaign, campaignFile });
  try {
    return await observeWith(inventory, (server) => adapters.connectors.sql(server), scope);
  } finally {
    await adapters.close().catch(() => undefined);
  }
}

async function observeWith(
  inventory: Inventory,
  sql: SqlConnector,
  scope: ReadonlySet<string> | undefined,
): Promise<ObservedFleet> {
  const all = serverResolver(inventory.classes, inventory.campaign).all();
  const first = await observeServers(
    scope === undefined ? all : all.filter((server) => scope.has(server.name)),
    sql,
  );
  const asked = new Set(first.map((server) => server.declared.name));
  const rest = all.filter((server) => !asked.has(server.name));
  if (rest.length === 0 || !hasStrangers(first)) return judged(first, inventory);
  return judged([...first, ...(await observeServers(rest, sql))], inventory);
}

/** Whether a source or a registered replica of these servers is none of them. */
function hasStrangers(observed: readonly ObservedServer[]): boolean {
  const ids = new Set(
    observed.flatMap(({ observation }) => (observation.reachable ? [observation.serverId] : [])),
  );
  return observed.some(({ observation }) => {
    if (!observation.reachable) return false;
    const links = [
      ...observation.replicas,
      ...(observation.source === undefined ? [] : [observation.source]),
    ];
    return links.some((link) => link.serverId === undefined || !ids.has(link.serverId));
  });
}

function judged(observed: readonly ObservedServer[], inventory: Inventory): ObservedFleet {
  return { observed, discovery: judgeDiscovery(observed, inventory.campaign) };
}
