import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FleetPaths } from './fleet-paths.js';
import { REPO_ROOT } from './fleet-paths.js';
import type { HostSpec } from './host-plan.js';
import { isListening } from './ports.js';
import { isAlive, sleep, spawnDetached } from './processes.js';
import type { ShardAppConfig } from './shard-app.js';

/** Starts the shard app (scripts/fleet/shard-app.ts) detached and waits for its ports. */
export async function startShardApp(
  paths: FleetPaths,
  hosts: readonly HostSpec[],
  user: string,
  password: string,
): Promise<number> {
  const config: ShardAppConfig = {
    user,
    password,
    shards: hosts.map((host) => ({
      shard: host.shard,
      server: host.name,
      port: host.appPort,
      mysqlHost: host.address,
      mysqlPort: host.mysqlPort,
      database: host.database,
    })),
  };
  await writeFile(paths.shardAppConfig, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const pid = spawnDetached(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'fleet', 'shard-app.ts'), paths.shardAppConfig],
    paths.shardAppLog,
    { cwd: REPO_ROOT },
  );
  const deadline = Date.now() + 30_000;
  for (const host of hosts) {
    while (!(await isListening('127.0.0.1', host.appPort))) {
      if (!isAlive(pid)) throw new Error(`the shard app exited; see ${paths.shardAppLog}`);
      if (Date.now() > deadline) throw new Error(`the shard app does not listen on ${host.appPort}`);
      await sleep(100);
    }
  }
  return pid;
}
