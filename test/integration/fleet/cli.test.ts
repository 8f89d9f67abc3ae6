import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../scripts/fleet/exec.js';
import { activeFaults } from '../../../scripts/fleet/faults.js';
import { REPO_ROOT } from '../../../scripts/fleet/fleet-paths.js';
import { fleetPaths, loadFleet } from './fleet-fixture.js';

/** `npm run fleet -- <command>` itself, as a person runs it. */

const fleet = loadFleet();
const target = fleet.servers[1] ?? fleet.servers[0];
if (!target) throw new Error('the fleet has no server');

function fleetCli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'fleet', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DBWAVE_FLEET_DIR: fleet.root },
    timeoutMs: 120_000,
  });
}

describe('the fleet command line', () => {
  it('status lists every host with its version, state and window', async () => {
    const result = await fleetCli('status');
    expect(result.code).toBe(0);
    for (const server of fleet.servers) {
      expect(result.stdout).toMatch(
        new RegExp(`^${server.name}\\s+${server.shard}\\s+\\S+\\s+\\S+\\s+up\\s`, 'm'),
      );
    }
    expect(result.stdout).toMatch(/MiB resident/);
  });

  it('load drives sysbench and HTTP for the time asked, then summarises', async () => {
    const started = Date.now();
    const result = await fleetCli('load', '--seconds', '3');
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    for (const server of fleet.servers) {
      expect(result.stdout).toMatch(new RegExp(`${server.name}: sysbench [1-9]\\d* transactions`));
      expect(result.stdout).toMatch(new RegExp(`${server.shard}: HTTP 200: [1-9]`));
    }
  });

  it('records a fault and heals it', async () => {
    const host = fleetPaths(fleet).host(target.name);
    expect((await fleetCli('fault', target.name, 'error-log-noise')).code).toBe(0);
    expect(await activeFaults(host)).toEqual(['error-log-noise']);
    const healed = await fleetCli('heal', target.name);
    expect(healed.stdout).toMatch(/healed error-log-noise/);
    expect(await activeFaults(host)).toEqual([]);
  });

  it('says what is wrong in one line, without a stack trace', async () => {
    const unknownHost = await fleetCli('fault', 'db999', 'hang');
    expect(unknownHost.code).not.toBe(0);
    expect(unknownHost.stderr).toMatch(/no host db999/);
    expect(unknownHost.stderr).not.toMatch(/\n\s+at /);
    const unknownKind = await fleetCli('fault', target.name, 'meteor-strike');
    expect(unknownKind.code).not.toBe(0);
    expect(unknownKind.stderr).toMatch(/Choices/);
  });
});
