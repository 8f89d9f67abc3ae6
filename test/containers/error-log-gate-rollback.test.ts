import { appendFile, readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { errorLogGate } from '../../src/gates/error-log-gate.js';
import type { Verdict } from '../../src/gates/gate-verdict.js';
import type { Campaign } from '../../src/model/campaign-schema.js';
import { runCampaignCommand, runCampaignCommandOk } from './support/campaign-commands.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { endedWithCleanShutdown, readRuns, startedWithCrashRecovery } from './support/error-log.js';
import { useSeededExampleServer } from './support/seeded-example-server.js';
import { rollbackStepByStep, upgradeStepByStep } from './support/step-by-step.js';
import { rowDigest, serverVersion } from './support/table-rows.js';

/** The engine's error-log gate, with the campaign's patterns, on the lines of the server's latest run. */
async function errorLogVerdict(campaign: Campaign, errorLog: string): Promise<Verdict> {
  const latest = (await readRuns(errorLog)).at(-1) ?? '';
  const whole = await readFile(errorLog, 'utf8');
  const fromOffset = Buffer.byteLength(whole.slice(0, whole.lastIndexOf(latest.split('\n')[0] ?? '')));
  const excerpt = { readable: true as const, file: errorLog, fromOffset, lines: latest.split('\n') };
  const rules = { patterns: campaign.gates.errorLogPatterns, ignore: campaign.gates.errorLogIgnore };
  return errorLogGate(excerpt, rules).verdict;
}

describeWithDocker('rolling a containerized host back after a failed gate', (environment) => {
  const fixture = useSeededExampleServer(environment, 'rollback', 20_000);
  const { fromVersion, toVersion, only } = fixture;

  it('refuses to recreate the container while its mariadbd runs', async () => {
    const { server } = only();
    const campaign = fixture.campaign();
    const refused = await runCampaignCommand(campaign, 'upgrade', server);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('still runs');
    expect(await runCampaignCommandOk(campaign, 'installedVersion', server)).toBe(fromVersion);
  });

  it('passes the error-log gate after a clean upgrade', async () => {
    const { host, server } = only();
    const campaign = fixture.campaign();
    expect(await upgradeStepByStep(campaign, server, host)).toBe(toVersion);
    expect(await errorLogVerdict(campaign, host.errorLog)).toBe('pass');
  });

  it('rolls back to the older image when the error-log gate then fails', async () => {
    const { host, server } = only();
    const campaign = fixture.campaign();
    // What the fleet's error-log-noise fault does: an [ERROR] line in the running server's log.
    await appendFile(host.errorLog, '2026-11-23 12:00:00 0 [ERROR] InnoDB: injected by the rollback test\n');
    expect(await errorLogVerdict(campaign, host.errorLog)).toBe('fail');

    expect(await rollbackStepByStep(campaign, server, host)).toBe(fromVersion);
    expect(await serverVersion(host)).toMatch(new RegExp(`^${fromVersion.replaceAll('.', '\\.')}-`));
  });

  it('rolls back when the upgraded server does not report the version the campaign expects', async () => {
    const { host, server } = only();
    const campaign = fixture.campaign();
    const installed = await upgradeStepByStep(campaign, server, host);
    // A campaign whose `to` names a build the image does not hold fails its verify step.
    const expected = `${toVersion}.999`;
    expect(installed).not.toBe(expected);
    expect(await rollbackStepByStep(campaign, server, host)).toBe(fromVersion);
  });

  it('keeps every row through the upgrades and rollbacks', async () => {
    expect(await rowDigest(only().host)).toEqual(fixture.rowsBefore());
  });

  it('shut down cleanly before every switch and never needed crash recovery', async () => {
    const runs = await readRuns(only().host.errorLog);
    // first start, upgrade, rollback, upgrade, rollback
    expect(runs).toHaveLength(5);
    for (const run of runs.slice(0, -1)) expect(endedWithCleanShutdown(run)).toBe(true);
    for (const run of runs) expect(startedWithCrashRecovery(run)).toBe(false);
  });
});
