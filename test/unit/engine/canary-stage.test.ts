import { describe, expect, it } from 'vitest';
import type { CanaryCheck, CanaryRecord } from '../../../src/engine/journal/journal-record.js';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import type { CanaryComparison } from '../../../src/engine/ports/canary-comparison.js';
import type { CanaryStageOptions } from '../../../src/engine/wave/canary-stage.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

const MIN = 60_000;
const servers = ['db1', 'db2', 'db3', 'db4'].map((name) => fakeServer(name));

/** A comparison port that answers `verdicts` in turn (the last one for ever) and counts its calls. */
function comparing(...verdicts: CanaryCheck['verdict'][]): CanaryComparison & { calls: number } {
  const compare = Object.assign(
    async (canaries: readonly { name: string }[]): Promise<CanaryCheck[]> => {
      const verdict = verdicts[Math.min(compare.calls, verdicts.length - 1)] ?? 'pass';
      compare.calls += 1;
      return canaries.map((server) => ({ server: server.name, verdict, evidence: `check ${compare.calls}` }));
    },
    { calls: 0 },
  );
  return compare;
}

function stage(harness: Harness, compare: CanaryComparison): CanaryStageOptions {
  return { servers: ['db1'], bakeMs: 60 * MIN, everyMs: 20 * MIN, compare, journal: harness.journal };
}

const canaryRecords = (harness: Harness): CanaryRecord[] =>
  harness.journal.records.filter((record): record is CanaryRecord => record.kind === 'canary');

describe('the canary stage of a wave', () => {
  it('runs the canary first, bakes for the whole bake time, then the rest of the wave', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 4 } }));
    const compare = comparing('pass');
    const result = await harness.wave(servers, { canary: stage(harness, compare) });
    expect(result.ok).toBe(true);
    const log = harness.fleet.window.log;
    for (const rest of ['db2', 'db3', 'db4'])
      expect(log.indexOf(`open ${rest}`)).toBeGreaterThan(log.indexOf('close db1'));
    const records = canaryRecords(harness);
    expect(records.map((record) => record.event)).toEqual([
      'bake-started',
      'bake-check',
      'bake-check',
      'bake-check',
      'decided',
    ]);
    const begun = records[0];
    const decided = records.at(-1);
    expect(Date.parse(decided?.at ?? '') - Date.parse(begun?.at ?? '')).toBe(60 * MIN);
    expect(decided).toMatchObject({ decision: 'go-on', verdict: 'pass' });
    // The rest started after the bake's decision.
    const db2Started = harness.journal.records.find(
      (record) => record.kind === 'step' && record.server === 'db2',
    );
    expect((db2Started?.seq ?? 0) > (decided?.seq ?? 0)).toBe(true);
  });

  it('stops the wave at the first failed comparison, rolls the failing canary back and starts nobody else', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 5 }));
    const compare = comparing('pass', 'fail');
    const result = await harness.wave(servers, { canary: stage(harness, compare) });
    expect(result.ok).toBe(false);
    expect(result.results.map((entry) => entry.outcome)).toEqual([
      'RolledBack',
      'NotExecuted',
      'NotExecuted',
      'NotExecuted',
    ]);
    expect(result.haltedBecause).toMatch(/^canary bake failed: db1/);
    expect(compare.calls).toBe(2);
    expect(canaryRecords(harness).at(-1)).toMatchObject({
      event: 'decided',
      decision: 'stop',
      rollBack: ['db1'],
    });
    expect(harness.steps('db1')).toContain('rollback-window-open:succeeded');
    expect(
      harness.journal.records.some((record) => record.kind === 'alert' && record.alert === 'canary-failed'),
    ).toBe(true);
    expect(replayJournal(harness.journal.records).waves.get(1)).toMatchObject({
      status: 'halted',
      canary: { decision: 'stop', verdict: 'fail' },
    });
  });

  it('stops without a bake when a canary fails its own upgrade', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 5 }));
    harness.fleet.host('db1').faults.startFailsOnNew = true;
    const compare = comparing('pass');
    const result = await harness.wave(servers, { canary: stage(harness, compare) });
    expect(result.results.map((entry) => entry.outcome)).toEqual([
      'RolledBack',
      'NotExecuted',
      'NotExecuted',
      'NotExecuted',
    ]);
    expect(compare.calls).toBe(0);
    expect(canaryRecords(harness).map((record) => record.event)).toEqual(['decided']);
    expect(result.haltedBecause).toBe('canary stage failed before its bake: db1 RolledBack');
  });

  it('stops at the end of an inconclusive bake when gates.inconclusive is pause, the canary left upgraded', async () => {
    const harness = new Harness(fakeCampaign({ gates: { inconclusive: 'pause' } }));
    const result = await harness.wave(servers, { canary: stage(harness, comparing('inconclusive')) });
    expect(result.results.map((entry) => entry.outcome)).toEqual([
      'Upgraded',
      'NotExecuted',
      'NotExecuted',
      'NotExecuted',
    ]);
    expect(result.haltedBecause).toMatch(/inconclusive, and gates.inconclusive is pause/);
  });

  it('a halted run leaves the bake for a resume, which continues the countdown and neither restarts nor skips it', async () => {
    const harness = new Harness(fakeCampaign());
    const halt = new AbortController();
    // The operator's Ctrl-C comes during the second comparison, 40 minutes into the bake: that
    // comparison, cut short, is not journaled.
    const compare = comparing('pass');
    const interrupting: CanaryComparison = async (canaries, signal) => {
      const checks = await compare(canaries, signal);
      if (compare.calls === 2) halt.abort(new Error('interrupted by the operator (Ctrl-C)'));
      return checks;
    };
    const first = await harness.wave(servers, { canary: stage(harness, interrupting), halt: halt.signal });
    expect(first.results.map((entry) => entry.outcome)).toEqual([
      'Upgraded',
      'NotExecuted',
      'NotExecuted',
      'NotExecuted',
    ]);
    const begun = canaryRecords(harness)[0];
    expect(canaryRecords(harness).map((record) => record.event)).toEqual(['bake-started', 'bake-check']);
    expect(replayJournal(harness.journal.records).waves.get(1)?.canary).toMatchObject({
      verdict: 'pass',
      checkCount: 1,
    });

    // dbwave was away for 15 minutes: 60 - 40 - 15 = 5 minutes of the bake are left, no more, no less.
    harness.clock.advance(15 * MIN);
    const resumedAt = harness.clock.now();
    const second = await harness.wave(servers, { canary: stage(harness, compare) });
    expect(second.ok).toBe(true);
    const records = canaryRecords(harness);
    expect(records.filter((record) => record.event === 'bake-started')).toHaveLength(1);
    const decided = records.find((record) => record.event === 'decided');
    expect(Date.parse(decided?.at ?? '')).toBe(Date.parse(begun?.endsAt ?? ''));
    expect(Date.parse(decided?.at ?? '') - resumedAt).toBe(60 * MIN - 40 * MIN - 15 * MIN);
  });

  it('a resume after the bake ended while no dbwave ran compares at once', async () => {
    const harness = new Harness(fakeCampaign());
    const halt = new AbortController();
    const compare = comparing('pass');
    const interrupting: CanaryComparison = async (canaries, signal) => {
      halt.abort(new Error('interrupted by the operator (Ctrl-C)'));
      return compare(canaries, signal);
    };
    await harness.wave(servers, { canary: stage(harness, interrupting), halt: halt.signal });
    harness.clock.advance(5 * 60 * MIN);
    const resumedAt = harness.clock.now();
    const second = await harness.wave(servers, { canary: stage(harness, compare) });
    expect(second.ok).toBe(true);
    const decided = canaryRecords(harness).find((record) => record.event === 'decided');
    expect(Date.parse(decided?.at ?? '')).toBe(resumedAt);
  });

  it('a wave whose canary stage stopped stays stopped when it is run again', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 5 }));
    await harness.wave(servers, { canary: stage(harness, comparing('fail')) });
    const compare = comparing('pass');
    const again = await harness.wave(servers, { canary: stage(harness, compare) });
    expect(compare.calls).toBe(0);
    expect(again.results.map((entry) => entry.outcome)).toEqual([
      'RolledBack',
      'NotExecuted',
      'NotExecuted',
      'NotExecuted',
    ]);
    expect(again.haltedBecause).toMatch(/^canary bake failed/);
    expect(
      harness.journal.records.filter((record) => record.kind === 'alert' && record.alert === 'canary-failed'),
    ).toHaveLength(1);
  });

  it('a rollback ignores the canary stage', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 4 } }));
    await harness.wave(servers);
    const compare = comparing('fail');
    const back = await harness.wave(servers, { action: 'rollback', canary: stage(harness, compare) });
    expect(back.ok).toBe(true);
    expect(compare.calls).toBe(0);
  });
});
