import { beforeAll, expect, it } from 'vitest';
import type { Campaign } from '../../src/inventory/campaign-schema.js';
import { loadExampleCampaign, runCampaignCommandOk } from './support/campaign-commands.js';
import { useExampleServers } from './support/container-fixture.js';
import { runDbwaveExpecting, type WrittenCampaign, writeExampleCampaign } from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { versionOfImage } from './support/docker-environment.js';
import { endedWithCleanShutdown, readRuns, startedWithCrashRecovery } from './support/error-log.js';
import { type RowDigest, rowDigest, seedRows, serverVersion } from './support/table-rows.js';

interface StatusJson {
  readonly report: { readonly summary: { readonly upgraded: number; readonly rolledBack: number } };
}

describeWithDocker('dbwave run rolling a containerized host back', (environment) => {
  const fromVersion = versionOfImage(environment.fromImage);
  const toVersion = versionOfImage(environment.toImage);
  const fixture = useExampleServers(environment, 'runback', 1);
  let campaign: Campaign;
  let files: WrittenCampaign;
  let before: RowDigest;

  const only = () => {
    const [first] = fixture.servers;
    if (!first) throw new Error('no server');
    return first;
  };

  beforeAll(async () => {
    campaign = await loadExampleCampaign(environment);
    await seedRows(only().host, 20_000);
    before = await rowDigest(only().host);
    // The newer image, but a campaign that expects a build it does not hold: its verify fails.
    files = await writeExampleCampaign(
      fixture.directory(),
      fixture.servers,
      {
        from: { version: fromVersion, package: environment.fromImage },
        to: { version: `${toVersion}9`, package: environment.toImage },
      },
      { waves: [{ date: '2026-12-01', size: 'rest' }] },
    );
    await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], fixture.password);
  });

  it('fails the wave and rolls the host back to the older image', async () => {
    await runDbwaveExpecting(
      1,
      ['run', files.planFile, '--wave', '1', '--yes', '--ignore-date'],
      fixture.password,
    );
    const status = await runDbwaveExpecting(
      0,
      ['status', files.planFile, '--wave', '1', '--json'],
      fixture.password,
    );
    const summary = (JSON.parse(status.stdout) as StatusJson).report.summary;
    expect(summary).toMatchObject({ upgraded: 0, rolledBack: 1 });
    expect(await runCampaignCommandOk(campaign, 'installedVersion', only().server)).toBe(fromVersion);
    expect(await serverVersion(only().host)).toMatch(new RegExp(`^${fromVersion.replaceAll('.', '\\.')}-`));
  });

  it('keeps every row through the rollback', async () => {
    expect(await rowDigest(only().host)).toEqual(before);
  });

  it('never crashed a server on the way: every switch followed a clean shutdown', async () => {
    const runs = await readRuns(only().host.errorLog);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs.slice(0, -1)) expect(endedWithCleanShutdown(run)).toBe(true);
    for (const run of runs) expect(startedWithCrashRecovery(run)).toBe(false);
  });
});
