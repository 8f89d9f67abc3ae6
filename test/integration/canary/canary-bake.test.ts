import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import type { CanaryRecord, JournalRecord, StatsRecord } from '../../../src/engine/journal/journal-record.js';
import { median } from '../../../src/stats/compare/metric-comparison.js';
import {
  type EngineCampaign,
  engineCampaign,
  journalOf,
  resetFleet,
  startDbwave,
} from '../engine/engine-fleet.js';
import { pickLoneServer, slowBuildCampaign } from '../engine/slow-build-campaign.js';
import { loadFleet, server } from '../fleet/fleet-fixture.js';
import { type RunningLoad, startLoad, versionOf } from '../gates/gates-fleet.js';

/** The bake, shortened by the campaign: three comparisons of 5 samples 2 s apart, 15 s apart. */
const BAKE = { bake: '45s', every: '15s' };

/** The campaign of these tests (slow-build-campaign.ts), with one named canary when given. */
function canaryCampaign(canary?: string): Record<string, unknown> {
  return slowBuildCampaign(canary === undefined ? {} : { canary: { servers: [canary], ...BAKE } });
}

/** The median `queries` rate of the bake's recheck samplings of a canary, or of its control. */
function recheckQueries(records: readonly JournalRecord[], canary: string, of: 'canary' | 'control'): number {
  const samplings = records
    .filter((record): record is StatsRecord => record.kind === 'stats')
    .filter((record) =>
      of === 'canary'
        ? record.phase === 'recheck' && record.server === canary
        : record.controlPhase === 'recheck' && record.controlFor === canary,
    );
  return median(samplings.flatMap((record) => record.series.queries ?? []));
}

async function canaryRecords(campaign: EngineCampaign): Promise<CanaryRecord[]> {
  const { records } = await journalOf(campaign);
  return records.filter((record): record is CanaryRecord => record.kind === 'canary');
}

describe('the canary stage on the local fleet, under load', () => {
  const fleet = loadFleet();
  let load: RunningLoad | undefined;
  let canary = '';
  beforeAll(async () => {
    await resetFleet(fleet);
    load = startLoad(1200);
    canary = await pickLoneServer(fleet);
  });
  afterAll(async () => {
    await load?.stop();
    await resetFleet(fleet);
  });

  it('fails the bake of a canary that turns slow after its upgrade, stops the wave and rolls it back', async () => {
    const campaign = await engineCampaign('canary-slow', canaryCampaign(canary));
    const running = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
    // The new build passed its gates; minutes later it serves from disk: what a bake is for.
    await running.waitForLine(/bake started/);
    await injectFault(new FleetPaths(fleet.root), canary, 'small-buffer-pool');
    const run = await running.done;
    expect(run.code, run.stdout + run.stderr).toBe(1);

    const records = await canaryRecords(campaign);
    const decided = records.find((record) => record.event === 'decided');
    expect(decided, JSON.stringify(records, null, 2)).toMatchObject({
      decision: 'stop',
      verdict: 'fail',
      rollBack: [canary],
    });
    expect(decided?.reason).toMatch(new RegExp(`^canary bake failed: ${canary} \\(.*buffer_pool_reads`));
    expect(records[0]).toMatchObject({ event: 'bake-started', canaries: [canary] });
    expect(records.filter((record) => record.event === 'bake-check').at(-1)).toMatchObject({
      verdict: 'fail',
    });

    const { records: all, replay } = await journalOf(campaign);
    // The bake compared the canary with its control, and journaled both samplings.
    const rechecks = all.filter(
      (record): record is StatsRecord => record.kind === 'stats' && record.phase === 'recheck',
    );
    expect(rechecks.map((record) => record.server)).toContain(canary);
    expect(
      all.some(
        (record) =>
          record.kind === 'stats' && record.controlPhase === 'recheck' && record.controlFor === canary,
      ),
    ).toBe(true);
    expect(replay.servers.get(canary)).toMatchObject({ outcome: 'RolledBack', window: 'closed' });
    for (const other of campaign.wave1.filter((server) => server.name !== canary)) {
      expect(replay.servers.get(other.name)?.outcome ?? 'NotExecuted', other.name).toBe('NotExecuted');
    }
    expect(replay.waves.get(1)).toMatchObject({ status: 'halted', canary: { decision: 'stop' } });
    expect(await versionOf(fleet, server(fleet, canary))).toMatch(
      new RegExp(`^${fleet.versions.from.replaceAll('.', '\\.')}`),
    );

    // status and the report say it.
    const status = await startDbwave(['status', campaign.planFile, '--wave', '1', '--json']).done;
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { report: { canary?: { state: string; verdict: string } } };
    expect(report.report.canary).toMatchObject({ state: 'stopped', verdict: 'fail' });
    const markdown = await startDbwave(['report', campaign.planFile, '--wave', '1', '--format', 'md']).done;
    expect(markdown.stdout).toMatch(/WAVE STOPPED/);
  }, 900_000);

  it('passes the bake of a clean upgrade, then runs the rest of the wave', async () => {
    await resetFleet(fleet);
    const campaign = await engineCampaign('canary-clean', canaryCampaign(canary));
    const running = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
    // While it bakes, status shows the countdown.
    await running.waitForLine(/bake started/);
    const during = await startDbwave(['status', campaign.planFile, '--wave', '1']).done;
    expect(during.stdout).toMatch(new RegExp(`Canaries ${canary}: BAKING, .* left of 45s`));
    const run = await running.done;
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const records = await canaryRecords(campaign);
    const begun = records.find((record) => record.event === 'bake-started');
    const decided = records.find((record) => record.event === 'decided');
    expect(decided, JSON.stringify(records, null, 2)).toMatchObject({ decision: 'go-on' });
    expect(
      records.some((record) => record.verdict === 'fail'),
      JSON.stringify(records, null, 2),
    ).toBe(false);
    expect(Date.parse(decided?.at ?? '') - Date.parse(begun?.at ?? '')).toBeGreaterThanOrEqual(45_000);
    expect(records.filter((record) => record.event === 'bake-check').length).toBeGreaterThanOrEqual(3);
    const { records: all, replay } = await journalOf(campaign);
    // The load came back to the restarted canary: it carries about what its control does (before
    // the load started sysbench again on a restarted server, it had a sixth of it).
    const canaryQueries = recheckQueries(all, canary, 'canary');
    const controlQueries = recheckQueries(all, canary, 'control');
    expect(canaryQueries, `${canaryQueries} vs ${controlQueries} queries/s`).toBeGreaterThan(
      controlQueries / 2,
    );
    for (const server of campaign.wave1) expect(replay.servers.get(server.name)?.outcome).toBe('Upgraded');
    // The rest started only after the decision.
    const firstOfRest = all.find(
      (record) => record.kind === 'step' && record.server !== canary && record.step === 'precheck',
    );
    expect(firstOfRest?.seq).toBeGreaterThan(decided?.seq ?? Number.POSITIVE_INFINITY);
  }, 900_000);
});
