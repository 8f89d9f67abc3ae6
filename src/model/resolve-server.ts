import type { Campaign } from './campaign-schema.js';
import { type HardwareClass, type ServerSpec, serverDatacenter } from './hardware-class-schema.js';
import type { ResolvedServer } from './resolved-server.js';

/**
 * A server joined with its class and the campaign's defaults: MySQL port from the server, else
 * the campaign's `mysql.port`, else 3306; SSH port from the server, else the campaign's
 * `ssh.port`, else 22; SSH user from the server, else the campaign's; datacenter from the
 * server, else the class; vars are the class's overlaid by the server's.
 */
export function resolveServer(
  server: ServerSpec,
  hardwareClass: HardwareClass,
  campaign: Pick<Campaign, 'mysql' | 'ssh'>,
): ResolvedServer {
  // Key by key in the interface's order, an optional key only when set: an object literal of
  // conditional spreads cost a temporary and a slow copy per key, and every server of the fleet
  // is resolved when a campaign's templates are checked.
  const resolved: { -readonly [Key in keyof ResolvedServer]?: ResolvedServer[Key] } = {
    name: server.name,
    class: hardwareClass.id,
    host: server.host,
    port: server.port ?? campaign.mysql?.port ?? 3306,
    sshPort: server.sshPort ?? campaign.ssh?.port ?? 22,
  };
  if (server.sshUser !== undefined) resolved.sshUser = server.sshUser;
  resolved.transport = hardwareClass.transport;
  resolved.datacenter = serverDatacenter(server, hardwareClass);
  if (server.cluster !== undefined) resolved.cluster = server.cluster;
  if (server.role !== undefined) resolved.role = server.role;
  if (server.shard !== undefined) resolved.shard = server.shard;
  if (server.dataDir !== undefined) resolved.dataDir = server.dataDir;
  if (server.errorLog !== undefined) resolved.errorLog = server.errorLog;
  if (server.mdLayout !== undefined) resolved.mdLayout = server.mdLayout;
  resolved.vars =
    server.vars === undefined ? { ...hardwareClass.vars } : { ...hardwareClass.vars, ...server.vars };
  // Every required key is set above.
  return resolved as ResolvedServer;
}

/** Finds any server of a fleet by name, resolved against the campaign. */
export interface ServerResolver {
  /** The resolved server, or undefined when the fleet has no server of that name. */
  resolve(name: string): ResolvedServer | undefined;
  /** Every server of the fleet, classes by id, servers in file order. */
  all(): readonly ResolvedServer[];
}

export function serverResolver(
  classes: readonly HardwareClass[],
  campaign: Pick<Campaign, 'mysql' | 'ssh'>,
): ServerResolver {
  const resolved = new Map<string, ResolvedServer>();
  const ordered = [...classes].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  for (const hardwareClass of ordered) {
    for (const server of hardwareClass.servers) {
      if (!resolved.has(server.name))
        resolved.set(server.name, resolveServer(server, hardwareClass, campaign));
    }
  }
  const all = [...resolved.values()];
  return { resolve: (name) => resolved.get(name), all: () => all };
}
