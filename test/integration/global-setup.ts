import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FleetPaths, REPO_ROOT } from '../../scripts/fleet/fleet-paths.js';
import { haproxyPids, mariadbdPid } from '../../scripts/fleet/fleet-processes.js';
import type { FleetManifest } from '../../scripts/fleet/manifest.js';

/**
 * Brings one local fleet (scripts/fleet) up for the whole integration suite and takes it down
 * at the end. Tests read it with `inject('fleetJson')` (or env DBWAVE_FLEET_JSON).
 *
 * - DBWAVE_FLEET_REUSE=1: use the fleet that is already up (and leave it up afterwards).
 * - DBWAVE_FLEET_KEEP=1: leave the fleet this run brought up running, to look at it.
 * - DBWAVE_FLEET_SERVERS: how many servers to bring up (default 6).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the fleet's fleet.json. */
    fleetJson: string;
  }
}

function fleetCli(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'fleet', 'main.ts'), ...args],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run fleet -- ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** A fleet is up when its fleet.json exists and both HAProxy instances and every mariadbd run. */
function fleetIsUp(paths: FleetPaths): boolean {
  if (!existsSync(paths.fleetJson) || haproxyPids(paths).length < paths.haproxyInstances.length) return false;
  const manifest = JSON.parse(readFileSync(paths.fleetJson, 'utf8')) as FleetManifest;
  return manifest.servers.every((server) => mariadbdPid(paths.host(server.name)) !== undefined);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const paths = new FleetPaths();
  const reuse = process.env.DBWAVE_FLEET_REUSE === '1' && fleetIsUp(paths);
  if (reuse) {
    console.log(`integration: reusing the fleet at ${paths.root}`);
  } else {
    await fleetCli(['up', '--servers', process.env.DBWAVE_FLEET_SERVERS ?? '6']);
  }
  project.provide('fleetJson', paths.fleetJson);
  process.env.DBWAVE_FLEET_JSON = paths.fleetJson;

  return async () => {
    if (reuse || process.env.DBWAVE_FLEET_KEEP === '1') return;
    await fleetCli(['down']);
  };
}
