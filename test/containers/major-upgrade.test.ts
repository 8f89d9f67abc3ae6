import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ExampleServer, useExampleServers } from './support/container-fixture.js';
import { inspectContainer } from './support/container-host.js';
import {
  type CampaignVersions,
  runDbwaveExpecting,
  serverReport,
  type WrittenCampaign,
  waveReport,
  writeExampleCampaign,
} from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { versionOfImage } from './support/docker-environment.js';
import { endedWithCleanShutdown, readRuns, startedWithCrashRecovery } from './support/error-log.js';
import { type RowDigest, rowDigest, seedRows, serverVersion } from './support/table-rows.js';

/**
 * examples/containers/major-upgrade.yaml: MariaDB 10.11 (bookworm) -> 11.8 (trixie) on the same
 * datadir, run by dbwave's CLI. Three hosts on the newer 10.11 image: one that upgrades, one whose
 * upgrade fails before the point of no return (the first start of 11.8) and is rolled back to
 * 10.11, one whose readiness gate fails after it and is left on 11.8 for a user migration. The
 * last one's campaign leaves pointOfNoReturn unset: the change of series makes it the first start.
 */

const MAJOR_EXAMPLE = 'major-upgrade.yaml';
/** 10.11 reads a datadir that 11.x has started on, but says this (docs/containers.md). */
const CHANGE_BUFFER_GONE = /The change buffer is corrupted or has been removed/;

function startsWithVersion(version: string): RegExp {
  return new RegExp(`^${version.replaceAll('.', '\\.')}-`);
}

describeWithDocker('a major upgrade, MariaDB 10.11 -> 11.8, in containers', (environment) => {
  const fromVersion = versionOfImage(environment.toImage);
  const toVersion = versionOfImage(environment.majorImage);
  const versions: CampaignVersions = {
    from: { version: fromVersion, package: environment.toImage },
    to: { version: toVersion, package: environment.majorImage },
  };
  const fixture = useExampleServers(environment, 'major', 3, { image: environment.toImage });
  const rowsBefore = new Map<string, RowDigest>();
  const host = (index: number): ExampleServer => {
    const server = fixture.servers[index];
    if (!server) throw new Error(`no host ${index} yet: read it after beforeAll`);
    return server;
  };

  beforeAll(async () => {
    for (const { host: each } of fixture.servers) {
      await seedRows(each, 5_000);
      rowsBefore.set(each.name, await rowDigest(each));
    }
  });

  /** The example campaign for one host, a single wave, planned. */
  async function plannedFor(
    server: ExampleServer,
    changes: Readonly<Record<string, unknown>> = {},
    campaignVersions = versions,
  ): Promise<WrittenCampaign> {
    const files = await writeExampleCampaign(
      join(fixture.directory(), server.host.name),
      [server],
      campaignVersions,
      { waves: [{ date: '2026-12-01', size: 'rest' }], ...changes },
      MAJOR_EXAMPLE,
    );
    await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], fixture.password);
    return files;
  }

  function runWave(files: WrittenCampaign, expectedExit: number) {
    return runDbwaveExpecting(
      expectedExit,
      ['run', files.planFile, '--wave', '1', '--yes', '--ignore-date'],
      fixture.password,
    );
  }

  describe('a wave that upgrades', () => {
    let files: WrittenCampaign;

    beforeAll(async () => {
      files = await plannedFor(host(0));
      await runWave(files, 0);
    });

    it('runs 11.8 on the 10.11 datadir, every row kept', async () => {
      expect(await serverVersion(host(0).host)).toMatch(startsWithVersion(toVersion));
      expect(await inspectContainer(host(0).host.name, '{{.Config.Image}}')).toBe(environment.majorImage);
      expect(await rowDigest(host(0).host)).toEqual(rowsBefore.get(host(0).host.name));
    });

    it("converted the system tables: mariadb-upgrade wrote 11.8's version into the datadir", async () => {
      // 11.x names the file mariadb_upgrade_info (10.11 wrote mysql_upgrade_info).
      const upgradeInfo = await readFile(join(host(0).host.dataDir, 'mariadb_upgrade_info'), 'utf8');
      expect(upgradeInfo).toMatch(startsWithVersion(toVersion));
      const report = serverReport(await waveReport(files.planFile, 1, fixture.password), host(0).host.name);
      expect(report.outcome).toBe('Upgraded');
      expect(report.steps.find((step) => step.step === 'post-upgrade')?.status).toBe('succeeded');
    });

    it('compared InnoDB before and after, across the change of series', async () => {
      const report = serverReport(await waveReport(files.planFile, 1, fixture.password), host(0).host.name);
      expect(report.innodb?.metrics.length).toBeGreaterThan(0);
      expect(report.innodb?.metrics.some((metric) => metric.before !== null && metric.after !== null)).toBe(
        true,
      );
      expect(report.gates.some((gate) => gate.phase === 'analysis')).toBe(true);
    });

    it('shut 10.11 down cleanly and started 11.8 without crash recovery', async () => {
      const runs = await readRuns(host(0).host.errorLog);
      expect(runs.at(-2)).toContain(`Starting MariaDB ${fromVersion}`);
      expect(endedWithCleanShutdown(runs.at(-2) ?? '')).toBe(true);
      expect(runs.at(-1)).toContain(`Starting MariaDB ${toVersion}`);
      expect(startedWithCrashRecovery(runs.at(-1) ?? '')).toBe(false);
    });
  });

  describe('a failure before the point of no return', () => {
    let files: WrittenCampaign;

    beforeAll(async () => {
      // The 11.8 image never reached this host's engine (a pull that failed): the upgrade step
      // fails with 10.11's datadir untouched by 11.8.
      files = await plannedFor(
        host(1),
        {},
        {
          from: versions.from,
          to: { version: toVersion, package: `${environment.majorImage}-never-pulled` },
        },
      );
      await runWave(files, 1);
    });

    it('rolls the host back to 10.11, every row kept', async () => {
      const report = await waveReport(files.planFile, 1, fixture.password);
      expect(report.summary).toMatchObject({ upgraded: 0, rolledBack: 1, needsUserMigration: 0 });
      expect(await serverVersion(host(1).host)).toMatch(startsWithVersion(fromVersion));
      expect(await rowDigest(host(1).host)).toEqual(rowsBefore.get(host(1).host.name));
    });

    it('never started 11.8 on the datadir, so 10.11 reopens it cleanly', async () => {
      const log = await readFile(host(1).host.errorLog, 'utf8');
      expect(log).not.toContain(`Starting MariaDB ${toVersion}`);
      expect(log).not.toMatch(CHANGE_BUFFER_GONE);
      const runs = await readRuns(host(1).host.errorLog);
      for (const run of runs.slice(0, -1)) expect(endedWithCleanShutdown(run)).toBe(true);
      for (const run of runs) expect(startedWithCrashRecovery(run)).toBe(false);
    });
  });

  describe('a gate that fails after the default point of no return (the campaign leaves it unset)', () => {
    let files: WrittenCampaign;
    let planText: string;
    let checklist: string;

    beforeAll(async () => {
      // An application's own smoke query that only 10.11 passes: the readiness gate fails after
      // 11.8 has started on the datadir. No pointOfNoReturn: the 10.11 -> 11.8 change decides it.
      files = await writeExampleCampaign(
        join(fixture.directory(), host(2).host.name),
        [host(2)],
        versions,
        {
          waves: [{ date: '2026-12-01', size: 'rest' }],
          pointOfNoReturn: undefined,
          gates: {
            smokeQueries: [
              { name: 'the application expects 10.11', sql: "SELECT VERSION() LIKE '10.11.%'", expect: 1 },
            ],
          },
        },
        MAJOR_EXAMPLE,
      );
      expect(await readFile(files.campaignFile, 'utf8')).not.toMatch(/pointOfNoReturn/);
      await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], fixture.password);
      // The plan file's header says what the campaign does, for the reviewer who commits it.
      planText = await readFile(files.planFile, 'utf8');
      checklist = (
        await runDbwaveExpecting(0, ['checklist', files.planFile, '--wave', '1'], fixture.password)
      ).stdout;
      await runWave(files, 1);
    });

    it('plan and checklist say the point of no return is the first start of 11.8, by default', () => {
      const line = /after the first start on the new version \(the default for a change of release series/;
      expect(planText).toMatch(line);
      expect(checklist).toMatch(/Point of no return: after the first start on the new version \(the default/);
    });

    it('marks the host "needs user migration" and leaves it on 11.8, not downgraded', async () => {
      const report = await waveReport(files.planFile, 1, fixture.password);
      expect(report.summary).toMatchObject({ upgraded: 0, rolledBack: 0, needsUserMigration: 1 });
      const server = serverReport(report, host(2).host.name);
      expect(server.reason).toMatch(/point of no return/);
      expect(server.steps.some((step) => step.step.startsWith('rollback-'))).toBe(false);
      expect(await inspectContainer(host(2).host.name, '{{.Config.Image}}')).toBe(environment.majorImage);
      expect(await serverVersion(host(2).host)).toMatch(startsWithVersion(toVersion));
    });

    it('keeps every row, and 10.11 never ran on the upgraded datadir', async () => {
      expect(await rowDigest(host(2).host)).toEqual(rowsBefore.get(host(2).host.name));
      const runs = await readRuns(host(2).host.errorLog);
      expect(runs.at(-1)).toContain(`Starting MariaDB ${toVersion}`);
      expect(await readFile(host(2).host.errorLog, 'utf8')).not.toMatch(CHANGE_BUFFER_GONE);
    });
  });
});
