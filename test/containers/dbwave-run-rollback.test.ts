import { beforeAll, expect, it } from 'vitest';
import { runCampaignCommandOk } from './support/campaign-commands.js';
import { runDbwaveExpecting, type WrittenCampaign, writeExampleCampaign } from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { endedWithCleanShutdown, readRuns, startedWithCrashRecovery } from './support/error-log.js';
import { useSeededExampleServer } from './support/seeded-example-server.js';
import { rowDigest, serverVersion } from './support/table-rows.js';

interface StatusJson {
  readonly report: { readonly summary: { readonly upgraded: number; readonly rolledBack: number } };
}

describeWithDocker('dbwave run rolling a containerized host back', (environment) => {
  const fixture = useSeededExampleServer(environment, 'runback', 20_000);
  const { fromVersion, toVersion, only } = fixture;
  let files: WrittenCampaign;

  beforeAll(async () => {
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
    expect(await runCampaignCommandOk(fixture.campaign(), 'installedVersion', only().server)).toBe(
      fromVersion,
    );
    expect(await serverVersion(only().host)).toMatch(new RegExp(`^${fromVersion.replaceAll('.', '\\.')}-`));
  });

  it('keeps every row through the rollback', async () => {
    expect(await rowDigest(only().host)).toEqual(fixture.rowsBefore());
  });

  it('never crashed a server on the way: every switch followed a clean shutdown', async () => {
    const runs = await readRuns(only().host.errorLog);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs.slice(0, -1)) expect(endedWithCleanShutdown(run)).toBe(true);
    for (const run of runs) expect(startedWithCrashRecovery(run)).toBe(false);
  });
});
