import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedServer } from '../../src/model/resolved-server.js';
import { EXAMPLE_DIR, runExampleTemplate, runExampleTemplateOk } from './support/campaign-commands.js';
import { type ExampleServer, exampleServer, useExampleServers } from './support/container-fixture.js';
import type { ContainerHost } from './support/container-host.js';
import {
  containerServerEntry,
  runDbwaveExpecting,
  serverReport,
  type WrittenCampaign,
  waveReport,
  writeCampaign,
} from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { versionOfImage } from './support/docker-environment.js';
import { waitUntil } from './support/step-by-step.js';
import { connectTo, rowDigest, seedRows, withConnection } from './support/table-rows.js';

/**
 * examples/containers/mysql-restart/: a rolling restart of Oracle MySQL (sid's mysql-server-core
 * 9.x) with a configuration change, on real MySQL servers in containers. First the campaign's own
 * commands by hand with what MySQL itself says (its clean-shutdown line, SHOW REPLICA STATUS, the
 * status and pre-flush variables dbwave reads), then dbwave's CLI runs the campaign.
 */

const EXAMPLE = join('mysql-restart', 'campaign.yaml');
const CLASS_FILE = join('mysql-restart', 'hardware-classes', 'docker-mysql.yaml');
const DEFAULT_POOL = 134_217_728;
const CONFIGURED_POOL = 268_435_456;
/** MySQL 8.0 and later: `/usr/sbin/mysqld: Shutdown complete (mysqld 9.7.4-2)  (Debian).` */
const MYSQL_CLEAN_SHUTDOWN =
  /\[MY-010910\] \[Server\] \/usr\/sbin\/mysqld: Shutdown complete \(mysqld [0-9.]+\S*\)/g;
const MYSQL_CRASH_RECOVERY = /Database was not shutdown normally|Starting crash recovery/;

function mysqlServer(host: ContainerHost): ResolvedServer {
  return {
    ...exampleServer(host),
    class: 'docker-mysql',
    vars: { containerctl: join(EXAMPLE_DIR, 'mysql-container.sh') },
  };
}

async function globalValue(host: ContainerHost, variable: string): Promise<string> {
  return withConnection(host, async (connection) => {
    const [rows] = await connection.query(`SELECT @@GLOBAL.${variable} AS value`);
    return String((rows as { value: unknown }[])[0]?.value);
  });
}

async function answers(host: ContainerHost): Promise<boolean> {
  try {
    await (await connectTo(host)).end();
    return true;
  } catch {
    return false;
  }
}

async function isRunning(server: ResolvedServer): Promise<boolean> {
  return (await runExampleTemplate(EXAMPLE, 'running', server)).exitCode === 0;
}

async function cleanShutdownLines(host: ContainerHost): Promise<number> {
  return [...(await readFile(host.errorLog, 'utf8')).matchAll(MYSQL_CLEAN_SHUTDOWN)].length;
}

describeWithDocker('a rolling restart of Oracle MySQL with a configuration change', (environment) => {
  const version = versionOfImage(environment.mysqlImage);
  const image = { image: environment.mysqlImage, flavour: 'mysql', withConfDir: true } as const;

  describe("the campaign's commands on a real MySQL server", () => {
    const fixture = useExampleServers(environment, 'mysqlcmd', 1, image);
    const only = (): ExampleServer => {
      const [first] = fixture.servers;
      if (!first) throw new Error('no host yet');
      return first;
    };

    it('is MySQL as Debian packages it, at the version the image is tagged with', async () => {
      const [rows] = await withConnection(only().host, (connection) =>
        connection.query('SELECT VERSION() AS version, @@version_comment AS comment'),
      );
      const [row] = rows as { version: string; comment: string }[];
      expect(row?.version.startsWith(`${version}-`)).toBe(true);
      expect(row?.comment).toBe('(Debian)');
      expect(await runExampleTemplateOk(EXAMPLE, 'installedVersion', mysqlServer(only().host))).toBe(version);
    });

    it('answers what dbwave asks of it: SHOW REPLICA STATUS, InnoDB status and the pre-flush variables', async () => {
      await withConnection(only().host, async (connection) => {
        const [replica] = await connection.query('SHOW REPLICA STATUS');
        expect(replica).toEqual([]);
        // MySQL 8.4 removed SHOW SLAVE STATUS: a version-aware step must not send it here.
        await expect(connection.query('SHOW SLAVE STATUS')).rejects.toThrow(/syntax/i);
        const [status] = await connection.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
        expect(status).toHaveLength(1);
        const [variables] = await connection.query(
          "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_io_capacity', 'innodb_io_capacity_max', 'innodb_max_dirty_pages_pct')",
        );
        expect(variables).toHaveLength(3);
      });
    });

    it('shuts down cleanly, takes the new setting while down, and starts with it', async () => {
      const server = mysqlServer(only().host);
      await seedRows(only().host, 5_000);
      const rowsBefore = await rowDigest(only().host);
      expect(Number(await globalValue(only().host, 'innodb_buffer_pool_size'))).toBe(DEFAULT_POOL);

      await withConnection(only().host, (connection) =>
        connection.query('SET GLOBAL innodb_fast_shutdown = 0'),
      );
      await runExampleTemplateOk(EXAMPLE, 'stop', server);
      await waitUntil('mysqld has stopped', async () => !(await isRunning(server)), 600_000);
      expect(await cleanShutdownLines(only().host)).toBe(1);

      expect((await runExampleTemplate(EXAMPLE, 'configure', server)).exitCode).toBe(0);
      // Run again, as a resumed run would: no change, and the rollback still restores the original.
      expect(await runExampleTemplateOk(EXAMPLE, 'configure', server)).toMatch(/already/);
      await runExampleTemplateOk(EXAMPLE, 'start', server);
      await waitUntil('mysqld answers', () => answers(only().host), 120_000);
      expect(Number(await globalValue(only().host, 'innodb_buffer_pool_size'))).toBe(CONFIGURED_POOL);
      expect(await rowDigest(only().host)).toEqual(rowsBefore);
      expect(await readFile(only().host.errorLog, 'utf8')).not.toMatch(MYSQL_CRASH_RECOVERY);
    });

    it("refuses to change a running server's settings, and the rollback puts the old ones back", async () => {
      const server = mysqlServer(only().host);
      expect((await runExampleTemplate(EXAMPLE, 'configure', server)).exitCode).not.toBe(0);
      await runExampleTemplateOk(EXAMPLE, 'stop', server);
      await waitUntil('mysqld has stopped', async () => !(await isRunning(server)), 600_000);
      await runExampleTemplateOk(EXAMPLE, 'rollback', server);
      await runExampleTemplateOk(EXAMPLE, 'start', server);
      await waitUntil('mysqld answers', () => answers(only().host), 120_000);
      expect(Number(await globalValue(only().host, 'innodb_buffer_pool_size'))).toBe(DEFAULT_POOL);
      expect(await cleanShutdownLines(only().host)).toBe(2);
    });
  });

  // Needs the engine side of issue 11 (branch wt-w11steps): commands.configure, verify.variables,
  // a restart kind, MySQL's clean-shutdown line, SHOW REPLICA STATUS by version.
  describe('dbwave run of the example campaign', () => {
    const fixture = useExampleServers(environment, 'mysqlrun', 2, image);
    let files: WrittenCampaign;

    beforeAll(async () => {
      for (const { host } of fixture.servers) await seedRows(host, 5_000);
      files = await writeCampaign(fixture.directory(), {
        campaign: EXAMPLE,
        hardwareClass: CLASS_FILE,
        servers: fixture.servers.map(containerServerEntry),
        vars: { containerctl: join(EXAMPLE_DIR, 'mysql-container.sh') },
        versions: {
          from: { version, package: environment.mysqlImage },
          to: { version, package: environment.mysqlImage },
        },
      });
    });

    it('plans and checklists it as a rolling restart', async () => {
      await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], fixture.password);
      const checklist = await runDbwaveExpecting(
        0,
        ['checklist', files.planFile, '--wave', '1'],
        fixture.password,
      );
      expect(checklist.stdout).toMatch(/rolling restart/i);
    });

    it('restarts the canary in wave 1 and the other server in wave 2, each with the new setting', async () => {
      for (const wave of [1, 2]) {
        await runDbwaveExpecting(
          0,
          ['run', files.planFile, '--wave', String(wave), '--yes', '--ignore-date'],
          fixture.password,
        );
        const report = await waveReport(files.planFile, wave, fixture.password);
        expect(report.summary).toMatchObject({
          planned: 1,
          rolledBack: 0,
          needsPerson: 0,
          needsUserMigration: 0,
        });
      }
      for (const { host } of fixture.servers) {
        expect(Number(await globalValue(host, 'innodb_buffer_pool_size'))).toBe(CONFIGURED_POOL);
        expect(await cleanShutdownLines(host)).toBe(1);
        expect(await readFile(host.errorLog, 'utf8')).not.toMatch(MYSQL_CRASH_RECOVERY);
      }
    });

    it('reports every step against real MySQL: pre-flush, clean shutdown, verify, gates, InnoDB', async () => {
      // Each server is in whichever wave the planner put it (one per wave): found by name.
      const reports = [
        await waveReport(files.planFile, 1, fixture.password),
        await waveReport(files.planFile, 2, fixture.password),
      ];
      for (const { host } of fixture.servers) {
        const holding = reports.find((report) => report.servers.some((entry) => entry.name === host.name));
        if (holding === undefined) throw new Error(`no wave's report has server ${host.name}`);
        const server = serverReport(holding, host.name);
        expect(server.shutdown?.status).toBe('succeeded');
        expect(server.preflush?.status).toBe('succeeded');
        expect(server.steps.find((step) => step.step === 'verify')?.status).toBe('succeeded');
        expect(
          server.gates.filter((gate) => gate.phase === 'readiness').every((gate) => gate.verdict === 'pass'),
        ).toBe(true);
        expect(server.innodb?.metrics.some((metric) => metric.before !== null && metric.after !== null)).toBe(
          true,
        );
        expect(server.versions).toMatchObject({
          before: expect.stringContaining(version),
          after: expect.stringContaining(version),
        });
      }
    });
  });
});
