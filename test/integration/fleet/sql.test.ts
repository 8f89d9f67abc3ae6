import { describe, expect, it } from 'vitest';
import { SYSBENCH_ROWS } from '../../../scripts/fleet/mariadb-host.js';
import { loadFleet, queryOne, sql, sshRun } from './fleet-fixture.js';

const fleet = loadFleet();

describe('the fleet over SQL', () => {
  it.each(fleet.servers.map((server) => [server.name, server]))(
    '%s runs the build its host has installed, and lets dbwave do what a campaign needs',
    async (_name, server) => {
      // Other suites may have upgraded a server: what it runs must match what is installed.
      const installed = (await sshRun(fleet, server, `${server.fleetctl} installed-version`)).stdout.trim();
      expect([fleet.versions.from, fleet.versions.to]).toContain(installed);
      const connection = await sql(fleet, server);
      try {
        const [[version]] = (await connection.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
        expect(version.v.startsWith(`${installed}-MariaDB`)).toBe(true);
        // dbwave sets globals, reads InnoDB metrics and counts rows of the sysbench schema.
        await connection.query('SET GLOBAL innodb_max_dirty_pages_pct = 90');
        const [metrics] = (await connection.query(
          "SELECT COUNT(*) AS n FROM information_schema.INNODB_METRICS WHERE NAME LIKE 'buffer_pool%'",
        )) as unknown as [[{ n: number }]];
        expect(Number(metrics[0].n)).toBeGreaterThan(0);
        const [rows] = (await connection.query('SELECT COUNT(*) AS n FROM sbtest.sbtest1')) as unknown as [
          [{ n: number }],
        ];
        expect(Number(rows[0].n)).toBe(SYSBENCH_ROWS);
        const [tables] = (await connection.query(
          'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
          [server.database, 'requests'],
        )) as unknown as [[{ n: number }]];
        expect(Number(tables[0].n)).toBe(1);
      } finally {
        connection.destroy();
      }
    },
  );

  it('rejects a wrong password', async () => {
    const target = fleet.servers[0];
    if (!target) throw new Error('no server');
    await expect(
      sql({ ...fleet, mysql: { ...fleet.mysql, password: 'not-the-password' } }, target),
    ).rejects.toThrow(/Access denied/);
  });

  it("replicates the primary's shard to its replica", async () => {
    const primary = fleet.servers.find((server) => server.role === 'primary');
    const replica = fleet.servers.find(
      (server) => server.role === 'replica' && server.cluster === primary?.cluster,
    );
    if (!primary || !replica) return;
    const status = await queryOne(fleet, replica, 'SHOW SLAVE STATUS');
    expect(status.Slave_IO_Running).toBe('Yes');
    expect(status.Slave_SQL_Running).toBe('Yes');
    const marker = `replication-${Date.now()}`;
    const connection = await sql(fleet, primary);
    await connection.query(`INSERT INTO ${primary.database}.requests (path, served_by) VALUES (?, 'test')`, [
      marker,
    ]);
    connection.destroy();
    for (let attempt = 0; attempt < 50; attempt++) {
      const row = await queryOne(
        fleet,
        replica,
        `SELECT COUNT(*) AS n FROM ${primary.database}.requests WHERE path = '${marker}'`,
      );
      if (Number(row.n) === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the row written on the primary never reached the replica');
  });
});
