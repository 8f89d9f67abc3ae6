import { describe, expect, it } from 'vitest';
import { applyCanaryRecord } from '../../../src/engine/journal/canary-stage-state.js';
import { canaryStageEntry, describeCanaryStage } from '../../../src/report/canary-stage-entry.js';

const START = Date.parse('2026-11-24T02:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const baking = applyCanaryRecord(
  applyCanaryRecord(undefined, {
    at: iso(START),
    event: 'bake-started',
    canaries: ['db3'],
    bakeMs: 7_200_000,
    endsAt: iso(START + 7_200_000),
  }),
  {
    at: iso(START + 600_000),
    event: 'bake-check',
    canaries: ['db3'],
    verdict: 'pass',
    checks: [
      { server: 'db3', verdict: 'pass', evidence: 'controls db6; 1 judged metric(s) within thresholds' },
    ],
  },
);

describe('the canary stage in reports and status', () => {
  it('shows the planned canaries before the journal names them', () => {
    expect(canaryStageEntry(undefined, ['db3'], START)).toEqual({
      canaries: ['db3'],
      state: 'canaries-first',
      checkCount: 0,
    });
    expect(canaryStageEntry(undefined, undefined, START)).toBeUndefined();
  });

  it('counts the bake down from the journaled end, and says the verdict so far', () => {
    const entry = canaryStageEntry(baking, ['db3'], START + 30 * 60_000);
    expect(entry).toMatchObject({
      state: 'baking',
      remainingMs: 90 * 60_000,
      verdict: 'pass',
      checkCount: 1,
    });
    expect(entry && describeCanaryStage(entry)).toBe(
      'Canaries db3: BAKING, 1h30m00s left of 2h00m00s (ends 04:00:00); verdict so far PASS (1 comparison(s), last at 02:10:00)',
    );
    expect(canaryStageEntry(baking, ['db3'], START + 10 * 3_600_000)?.remainingMs).toBe(0);
  });

  it('says a stop, its reason and the canaries rolled back', () => {
    const stopped = applyCanaryRecord(baking, {
      at: iso(START + 1_200_000),
      event: 'decided',
      canaries: ['db3'],
      verdict: 'fail',
      decision: 'stop',
      reason: 'canary bake failed: db3 (buffer_pool_reads +900%)',
      rollBack: ['db3'],
    });
    const entry = canaryStageEntry(stopped, ['db3'], START + 1_300_000);
    expect(entry).toMatchObject({ state: 'stopped', verdict: 'fail' });
    expect(entry).not.toHaveProperty('remainingMs');
    expect(entry && describeCanaryStage(entry)).toBe(
      'Canaries db3: WAVE STOPPED at 02:20:00: canary bake failed: db3 (buffer_pool_reads +900%); rolled back: db3',
    );
  });
});
