import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FleetManifest, FleetServer } from '../../../scripts/fleet/manifest.js';
import type { SshConfig } from '../../../src/adapters/ssh/ssh-config.js';
import { sshConfigFromCampaign } from '../../../src/adapters/ssh/ssh-config.js';
import { type Campaign, campaignSchema } from '../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

/** The fleet (`.fleet/fleet.json`) seen the way dbwave's adapters see servers and campaigns. */

export { loadFleet };

/** A fleet server as the engine hands it to adapters. */
export function resolvedServer(server: FleetServer): ResolvedServer {
  return {
    name: server.name,
    class: server.class,
    host: server.host,
    port: server.port,
    sshPort: server.sshPort,
    transport: 'ssh',
    datacenter: 'local',
    shard: server.shard,
    dataDir: server.dataDir,
    errorLog: server.errorLog,
    ...(server.cluster === undefined ? {} : { cluster: server.cluster }),
    ...(server.role === undefined ? {} : { role: server.role }),
    vars: { fleetctl: server.fleetctl },
  };
}

/** The campaign the fleet wrote (`.fleet/campaign.yaml`), validated by dbwave's own schema. */
export function fleetCampaign(fleet: FleetManifest): Campaign {
  return campaignSchema.parse(parse(readFileSync(fleet.campaign, 'utf8')));
}

/** The fleet campaign's SSH settings, resolved the way `dbwave run` resolves them. */
export function fleetSshConfig(fleet: FleetManifest, overrides: Partial<SshConfig> = {}): SshConfig {
  const campaign = fleetCampaign(fleet);
  if (campaign.ssh === undefined) throw new Error(`${fleet.campaign} has no ssh: block`);
  return { ...sshConfigFromCampaign(campaign.ssh, fleet.campaign, 65_536), ...overrides };
}

/** The fleet's n-th server (from 0); throws when the fleet is smaller. */
export function fleetServer(fleet: FleetManifest, index: number): FleetServer {
  const server = index < 0 ? fleet.servers[fleet.servers.length + index] : fleet.servers[index];
  if (server === undefined) throw new Error(`the fleet has no server #${index}`);
  return server;
}

/** Polls until `check` holds; gives up (false) after `limitMs`. A bound, never a measured timing. */
export async function eventually(check: () => Promise<boolean>, limitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
