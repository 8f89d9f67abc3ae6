import { readFileSync, statSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fleetStatus } from '../../../scripts/fleet/commands/status.js';
import { healHost, injectFault } from '../../../scripts/fleet/faults.js';
import { faultPid } from '../../../scripts/fleet/fleet-processes.js';
import { isAlive } from '../../../scripts/fleet/processes.js';
import {
  answersSql,
  cleanShutdown,
  fleetPaths,
  loadFleet,
  queryOne,
  resetServer,
  sshConnect,
  sshRun,
  startAndWait,
  waitFor,
} from './fleet-fixture.js';

const fleet = loadFleet();
const paths = fleetPaths(fleet);
// The last server: not in the replication pair, not the one the upgrade test uses.
const target = fleet.servers[fleet.servers.length - 1];
if (!target) throw new Error('the fleet has no server');

function fleetctl(subcommand: string) {
  return sshRun(fleet, target as NonNullable<typeof target>, `${target?.fleetctl} ${subcommand}`);
}

/** The error log written since `offset`. */
function errorLogSince(offset: number): string {
  return readFileSync(target?.errorLog ?? '', 'utf8').slice(offset);
}

async function restart(): Promise<void> {
  await cleanShutdown(fleet, target as NonNullable<typeof target>);
  await startAndWait(fleet, target as NonNullable<typeof target>);
}

describe('faults and their heal', () => {
  beforeAll(() => resetServer(fleet, target));
  afterEach(() => resetServer(fleet, target));

  it('start-fails-on-new: mariadbd refuses to start from the newer prefix and starts from the older', async () => {
    await injectFault(paths, target.name, 'start-fails-on-new');
    await cleanShutdown(fleet, target);
    expect((await fleetctl('upgrade')).code).toBe(0);
    const offset = statSync(target.errorLog).size;
    const start = await fleetctl('start');
    expect(start.code).not.toBe(0);
    expect(errorLogSince(offset)).toMatch(/\[ERROR\].*unknown variable/);
    expect((await fleetctl('running')).code).toBe(1);

    expect((await fleetctl('rollback')).code).toBe(0);
    await startAndWait(fleet, target);
    const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
    expect(String(version.v).startsWith(fleet.versions.from)).toBe(true);

    // Healed, the newer build starts again.
    await healHost(paths, target.name);
    await cleanShutdown(fleet, target);
    expect((await fleetctl('upgrade')).code).toBe(0);
    await startAndWait(fleet, target);
  });

  it('error-log-noise: [ERROR] lines appear in the error log after the next start, and not after heal', async () => {
    await injectFault(paths, target.name, 'error-log-noise');
    let offset = statSync(target.errorLog).size;
    await restart();
    expect(errorLogSince(offset)).toMatch(/\[ERROR\]/);
    expect(await answersSql(fleet, target)).toBe(true);

    await healHost(paths, target.name);
    offset = statSync(target.errorLog).size;
    await restart();
    expect(errorLogSince(offset)).not.toMatch(/\[ERROR\]/);
  });

  it('ssh-down: its sshd refuses connections until healed, then answers with the same host key', async () => {
    await injectFault(paths, target.name, 'ssh-down');
    await expect(sshConnect(fleet, target)).rejects.toThrow();
    expect((await fleetStatus(paths)).find((row) => row.name === target.name)?.sshd).toBe('down');
    // The database itself is untouched.
    expect(await answersSql(fleet, target)).toBe(true);

    await healHost(paths, target.name);
    const result = await fleetctl('running');
    expect(result.code).toBe(0);
  });

  it('long-transaction: a clean shutdown takes longer, the client dies with the server, and the rows are rolled back', async () => {
    const baseline = await cleanShutdown(fleet, target);
    await startAndWait(fleet, target);

    await injectFault(paths, target.name, 'long-transaction');
    const client = faultPid(paths.host(target.name), 'long-transaction', paths.host(target.name).clientCnf);
    expect(client).toBeDefined();
    const open = await queryOne(
      fleet,
      target,
      'SELECT MAX(trx_rows_modified) AS n FROM information_schema.innodb_trx',
    );
    expect(Number(open.n)).toBeGreaterThan(100_000);

    const slow = await cleanShutdown(fleet, target);
    console.log(`clean shutdown: ${baseline} ms without, ${slow} ms with the long transaction`);
    expect(slow).toBeGreaterThan(baseline);
    await waitFor('the long-transaction client to exit', async () => !isAlive(client ?? 0), 10_000);

    await startAndWait(fleet, target);
    const left = await queryOne(fleet, target, 'SELECT COUNT(*) AS n FROM fleet_fault.ballast');
    expect(Number(left.n)).toBe(0);
  });

  it('hang: SQL times out while its mariadbd is stopped, and answers again after heal', async () => {
    await injectFault(paths, target.name, 'hang');
    await expect(queryOne(fleet, target, 'SELECT 1', 2_000)).rejects.toThrow();
    // Still "running" for the campaign: the process exists, it just does not answer.
    expect((await fleetctl('running')).code).toBe(0);

    await healHost(paths, target.name);
    await waitFor('SQL after heal', () => answersSql(fleet, target), 10_000);
  });
});
