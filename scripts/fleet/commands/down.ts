import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { FleetPaths } from '../fleet-paths.js';
import { stopFleet } from '../fleet-processes.js';

/** Stops everything `up` started, by recorded pid, and nothing else. State is kept for a look. */
export async function down(log: (line: string) => void, paths = new FleetPaths()): Promise<void> {
  if (!existsSync(paths.root)) {
    log('no fleet');
    return;
  }
  await stopFleet(paths, log);
  // fleet.json describes a running fleet: without it, tests and tools see there is none.
  await rm(paths.fleetJson, { force: true });
  log('fleet down');
}
