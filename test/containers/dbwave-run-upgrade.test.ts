import { beforeAll, expect, it } from 'vitest';
import type { Campaign } from '../../src/model/campaign-schema.js';
import { loadExampleCampaign, runCampaignCommandOk } from './support/campaign-commands.js';
import { useExampleServers } from './support/container-fixture.js';
import { runDbwaveExpecting, type WrittenCampaign, writeExampleCampaign } from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { versionOfImage } from './support/docker-environment.js';
import { endedWithCleanShutdown, readRuns, startedWithCrashRecovery } from './support/error-log.js';
import { type RowDigest, rowDigest, seedRows, serverVersion } from './support/table-rows.js';

describeWithDocker('dbwave run on two containerized hosts', (environment) => {
  const fromVersion = versionOfImage(environment.fromImage);
  const toVersion = versionOfImage(environment.toImage);
  const fixture = useExampleServers(environment, 'run', 2);
  const before = new Map<string, RowDigest>();
  let campaign: Campaign;
  let files: WrittenCampaign;

  beforeAll(async () => {
    campaign = await loadExampleCampaign(environment);
    for (const { host } of fixture.servers) {
      await seedRows(host, 20_000);
      before.set(host.name, await rowDigest(host));
    }
    files = await writeExampleCampaign(fixture.directory(), fixture.servers, {
      from: { version: fromVersion, package: environment.fromImage },
      to: { version: toVersion, package: environment.toImage },
    });
  });

  it('plans the example campaign for them: a canary wave and the rest', async () => {
    await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], fixture.password);
  });

  it('upgrades the canary in wave 1 and the other host in wave 2', async () => {
    for (const wave of ['1', '2']) {
      const result = await runDbwaveExpecting(
        0,
        ['run', files.planFile, '--wave', wave, '--yes', '--ignore-date'],
        fixture.password,
      );
      expect(result.stdout).toContain('every server upgraded');
    }
    for (const { host, server } of fixture.servers) {
      expect(await runCampaignCommandOk(campaign, 'installedVersion', server)).toBe(toVersion);
      expect(await serverVersion(host)).toMatch(new RegExp(`^${toVersion.replaceAll('.', '\\.')}-`));
    }
  });

  it('keeps every row on both volumes', async () => {
    for (const { host } of fixture.servers) expect(await rowDigest(host)).toEqual(before.get(host.name));
  });

  it('shut each old server down cleanly and started the new one without crash recovery', async () => {
    for (const { host } of fixture.servers) {
      const runs = await readRuns(host.errorLog);
      const oldRun = runs.at(-2) ?? '';
      const newRun = runs.at(-1) ?? '';
      expect(oldRun).toContain(`Starting MariaDB ${fromVersion}`);
      expect(endedWithCleanShutdown(oldRun)).toBe(true);
      expect(newRun).toContain(`Starting MariaDB ${toVersion}`);
      expect(startedWithCrashRecovery(newRun)).toBe(false);
    }
  });

  it('restarts neither host when the finished waves are run again', async () => {
    for (const wave of ['1', '2']) {
      await runDbwaveExpecting(
        0,
        ['run', files.planFile, '--wave', wave, '--yes', '--ignore-date'],
        fixture.password,
      );
    }
    for (const { host } of fixture.servers) expect(await readRuns(host.errorLog)).toHaveLength(2);
  });
});
