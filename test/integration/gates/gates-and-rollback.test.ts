import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healHost, injectFault } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import type { FleetServer } from '../../../scripts/fleet/manifest.js';
import type { GateRecord, StatsRecord } from '../../../src/engine/journal/journal-record.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { METRIC_CATALOG } from '../../../src/stats/compare/metric-catalog.js';
import { REQUIRED_INNODB_METRICS } from '../../support/required-innodb-metrics.js';
import {
  type EngineCampaign,
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
} from '../engine/engine-fleet.js';
import { loadFleet, server } from '../fleet/fleet-fixture.js';
import {
  probeChecksum,
  type RunningLoad,
  seedProbeTable,
  shardStatus,
  startLoad,
  versionOf,
  windowOpen,
} from './gates-fleet.js';

/** Small samplings so a wave takes seconds, not minutes (a wave holds one server of each class). */
function quickCampaign(waveSize: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { stats, ...rest } = extra;
  return {
    waves: [
      { date: '2026-11-23', size: waveSize },
      { date: '2026-11-24', size: 'rest' },
    ],
    stats: { samples: 3, interval: '2s', warmup: '2s', controls: 1, ...((stats as object) ?? {}) },
    ...rest,
  };
}

async function wave2Of(campaign: EngineCampaign): Promise<FleetServer[]> {
  const loaded = await loadPlan(campaign.planFile);
  return (loaded.plan.waves[1]?.servers ?? []).map((planned) => server(campaign.fleet, planned.name));
}

describe('stats, gates and rollback on the local fleet, under load', () => {
  const fleet = loadFleet();
  let load: RunningLoad | undefined;
  beforeAll(async () => {
    await resetFleet(fleet);
    // Bounded: if the test process dies, the load still ends by itself.
    load = startLoad(420);
  });
  afterAll(async () => {
    await load?.stop();
    await resetFleet(fleet);
  });

  /** Every server back as the suite found it: old build, running, no fault, window closed. */
  async function expectBackOnOldVersion(target: FleetServer, checksum: string): Promise<void> {
    expect(await versionOf(fleet, target)).toMatch(
      new RegExp(`^${fleet.versions.from.replaceAll('.', '\\.')}`),
    );
    expect(await probeChecksum(fleet, target)).toBe(checksum);
    expect(await windowOpen(fleet, target)).toBe(false);
    expect(await shardStatus(target)).toBe(200);
  }

  it('upgrades a healthy wave with real numbers for every metric, then dbwave rollback --wave takes it back', async () => {
    const wide = { relative: 1000, floor: 1e12 };
    const campaign = await engineCampaign(
      'gates-healthy',
      // Thresholds wide enough that the load's own ups and downs never decide this test.
      quickCampaign(3, {
        stats: {
          threshold: wide,
          thresholds: Object.fromEntries(METRIC_CATALOG.map((metric) => [metric.name, wide])),
        },
      }),
    );
    const checksums = new Map<string, string>();
    for (const target of campaign.wave1) checksums.set(target.name, await seedProbeTable(fleet, target));

    const run = await runWave1(campaign);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const { records, replay } = await journalOf(campaign);
    for (const target of campaign.wave1) {
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      for (const phase of ['baseline', 'after'] as const) {
        const stats = records.find(
          (record): record is StatsRecord =>
            record.kind === 'stats' && record.server === target.name && record.phase === phase,
        );
        expect(stats, `${target.name} ${phase}`).toBeDefined();
        for (const metric of REQUIRED_INNODB_METRICS) {
          const series = stats?.series[metric] ?? [];
          expect(series.length, `${target.name} ${phase} ${metric}`).toBeGreaterThan(0);
          expect(series.every(Number.isFinite), `${target.name} ${phase} ${metric}`).toBe(true);
        }
      }
      const innodb = records.find(
        (record): record is GateRecord =>
          record.kind === 'gate' && record.server === target.name && record.gate === 'innodb',
      );
      expect(innodb?.verdict, innodb?.evidence).toBe('pass');
    }
    const seqs = records.map((record) => record.seq);
    expect(new Set(seqs).size).toBe(seqs.length);

    const refused = await startDbwave(['rollback', campaign.planFile, '--wave', '1', '--ignore-date']).done;
    expect(refused.code).toBe(2);

    const rollback = await startDbwave([
      'rollback',
      campaign.planFile,
      '--wave',
      '1',
      '--yes',
      '--ignore-date',
    ]).done;
    expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
    const after = await journalOf(campaign);
    expect(after.records.some((record) => record.kind === 'wave' && record.action === 'rollback')).toBe(true);
    for (const target of campaign.wave1) {
      expect(after.replay.servers.get(target.name)).toMatchObject({
        outcome: 'RolledBack',
        window: 'closed',
      });
      await expectBackOnOldVersion(target, checksums.get(target.name) ?? '');
    }
  });

  it('rolls back a server with [ERROR] lines, one whose smoke query answers wrong and, without a terminal, one whose gate is inconclusive, as the campaign says', async () => {
    // Wave 2 has one server per class and no replication pair, so no server waits on another's
    // success. The plan does not depend on the gates: learn its servers, then give each a fault.
    const wave2 = await wave2Of(await engineCampaign('gates-faults-plan', quickCampaign(3)));
    const [noisy, wrongAnswer, undecided] = wave2;
    if (!noisy || !wrongAnswer || !undecided) throw new Error('wave 2 needs three servers');
    // Every metric informational: the InnoDB gate has nothing to judge, so it is inconclusive.
    const informational = Object.fromEntries(
      METRIC_CATALOG.map((metric) => [metric.name, { relative: 0.5, floor: 1, direction: 'informational' }]),
    );
    const campaign = await engineCampaign(
      'gates-faults',
      quickCampaign(3, {
        failureBudget: 3,
        stats: { thresholds: informational },
        gates: {
          inconclusive: 'rollback',
          smokeQueries: [
            {
              name: 'the-answer',
              // Wrong on the new version of one server only: its rollback then answers right.
              sql: `SELECT IF(@@datadir LIKE '%/hosts/${wrongAnswer.name}/%' AND VERSION() LIKE '${fleet.versions.to}-%', 'wrong', 'ok')`,
              expect: 'ok',
            },
          ],
        },
      }),
    );
    expect((await wave2Of(campaign)).map((target) => target.name)).toEqual(
      wave2.map((target) => target.name),
    );
    const checksums = new Map<string, string>();
    for (const target of wave2) checksums.set(target.name, await seedProbeTable(fleet, target));
    await injectFault(new FleetPaths(fleet.root), noisy.name, 'error-log-noise');

    // The fault logs [ERROR] at every start: the new version's start must log them, the old
    // one's (its rollback) must not, as with a real bad upgrade. It is read at start only, so it
    // is healed as soon as the journal says the new version started.
    // Wave 1 of this campaign is never run: this test is about wave 2's gates, not the order.
    const running = startDbwave([
      'run',
      campaign.planFile,
      '--wave',
      '2',
      '--yes',
      '--ignore-date',
      '--override-order',
      '--reason',
      'the gates test runs wave 2 alone',
    ]).done;
    let finished = false;
    void running.then(() => {
      finished = true;
    });
    const journalFile = join(campaign.stateDir, 'journal.jsonl');
    const started = `"server":"${noisy.name}","step":"start","event":"succeeded"`;
    while (!finished) {
      if ((await readFile(journalFile, 'utf8').catch(() => '')).includes(started)) {
        await healHost(new FleetPaths(fleet.root), noisy.name);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const run = await running;
    expect(run.code, run.stdout).toBe(1);
    const { records, replay } = await journalOf(campaign);
    const gate = (server: string, name: string): GateRecord | undefined =>
      records.find(
        (record): record is GateRecord =>
          record.kind === 'gate' && record.server === server && record.gate === name,
      );
    expect(gate(noisy.name, 'error-log')).toMatchObject({ phase: 'readiness', verdict: 'fail' });
    expect(replay.servers.get(noisy.name)?.reason).toMatch(/error-log fail/);
    expect(gate(wrongAnswer.name, 'smoke:the-answer')).toMatchObject({
      phase: 'readiness',
      verdict: 'fail',
    });
    expect(replay.servers.get(wrongAnswer.name)?.reason).toMatch(/the-answer/);
    expect(gate(undecided.name, 'innodb')).toMatchObject({
      phase: 'analysis',
      verdict: 'inconclusive',
      decision: { action: 'rollback', by: 'campaign' },
    });
    for (const target of wave2) {
      expect(replay.servers.get(target.name), target.name).toMatchObject({
        outcome: 'RolledBack',
        window: 'closed',
      });
      await expectBackOnOldVersion(target, checksums.get(target.name) ?? '');
    }
  });
});
