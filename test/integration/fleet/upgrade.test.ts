import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSBENCH_ROWS } from '../../../scripts/fleet/mariadb-host.js';
import {
  cleanShutdown,
  loadFleet,
  queryOne,
  resetServer,
  sql,
  sshRun,
  startAndWait,
} from './fleet-fixture.js';

const fleet = loadFleet();
// Not the replication pair: a plain server of the third class.
const target = fleet.servers[Math.min(2, fleet.servers.length - 1)];
if (!target) throw new Error('the fleet has no server');

async function fleetctl(subcommand: string) {
  return sshRun(fleet, target as NonNullable<typeof target>, `${target?.fleetctl} ${subcommand}`);
}

describe('an upgrade by the campaign commands over SSH', () => {
  const marker = `upgrade-${Date.now()}`;

  beforeAll(() => resetServer(fleet, target));
  afterAll(() => resetServer(fleet, target));

  it('refuses to switch builds while mariadbd runs', async () => {
    const result = await fleetctl('upgrade');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/running/);
    expect((await fleetctl('installed-version')).stdout.trim()).toBe(fleet.versions.from);
  });

  it('stops cleanly, switches to the newer build and starts it on the same datadir', async () => {
    const connection = await sql(fleet, target);
    await connection.query(`INSERT INTO ${target.database}.requests (path, served_by) VALUES (?, 'test')`, [
      marker,
    ]);
    connection.destroy();

    await cleanShutdown(fleet, target);
    expect((await fleetctl('running')).code).toBe(1);
    expect((await fleetctl('upgrade')).code).toBe(0);
    expect((await fleetctl('upgrade')).code).toBe(0); // idempotent
    expect((await fleetctl('installed-version')).stdout.trim()).toBe(fleet.versions.to);
    await startAndWait(fleet, target);
    expect((await fleetctl('running')).code).toBe(0);

    const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
    expect(String(version.v).startsWith(`${fleet.versions.to}-MariaDB`)).toBe(true);
    const kept = await queryOne(
      fleet,
      target,
      `SELECT COUNT(*) AS n FROM ${target.database}.requests WHERE path = '${marker}'`,
    );
    expect(Number(kept.n)).toBe(1);
    expect(Number((await queryOne(fleet, target, 'SELECT COUNT(*) AS n FROM sbtest.sbtest2')).n)).toBe(
      SYSBENCH_ROWS,
    );

    const post = await fleetctl('post-upgrade');
    expect(post.code).toBe(0);
    const body = (await (await fetch(target.url)).json()) as { version: string };
    expect(body.version.startsWith(fleet.versions.to)).toBe(true);
  });

  it('rolls back to the older build with the data intact', async () => {
    await cleanShutdown(fleet, target);
    expect((await fleetctl('rollback')).code).toBe(0);
    expect((await fleetctl('installed-version')).stdout.trim()).toBe(fleet.versions.from);
    await startAndWait(fleet, target);
    const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
    expect(String(version.v).startsWith(`${fleet.versions.from}-MariaDB`)).toBe(true);
    const kept = await queryOne(
      fleet,
      target,
      `SELECT COUNT(*) AS n FROM ${target.database}.requests WHERE path = '${marker}'`,
    );
    expect(Number(kept.n)).toBe(1);
  });
});
