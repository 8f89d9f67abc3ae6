import { describe, expect, it } from 'vitest';
import { applyCanaryRecord, type CanaryStageState } from '../../../src/engine/journal/canary-stage-state.js';
import type { CanaryCheck } from '../../../src/engine/journal/journal-record.js';
import {
  bakeVerdict,
  canaryUpgradeFailure,
  decideAfterCheck,
  nextBakeStep,
} from '../../../src/engine/wave/canary-bake.js';

const START = Date.parse('2026-11-24T02:00:00Z');
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const started = (): CanaryStageState =>
  applyCanaryRecord(undefined, {
    at: iso(START),
    event: 'bake-started',
    canaries: ['db1'],
    bakeMs: 60 * MIN,
    endsAt: iso(START + 60 * MIN),
  });
const checked = (stage: CanaryStageState, at: number, verdict: CanaryCheck['verdict']): CanaryStageState =>
  applyCanaryRecord(stage, {
    at: iso(at),
    event: 'bake-check',
    canaries: ['db1'],
    verdict,
    checks: [{ server: 'db1', verdict, evidence: 'e' }],
  });

describe('the canary bake', () => {
  it('begins by journaling its start when the journal has none', () => {
    expect(nextBakeStep(undefined, START, 10 * MIN)).toEqual({ kind: 'start' });
  });

  it('waits for the next comparison, then compares, then waits for the next from that comparison', () => {
    const stage = started();
    expect(nextBakeStep(stage, START + MIN, 10 * MIN)).toEqual({ kind: 'wait', until: START + 10 * MIN });
    expect(nextBakeStep(stage, START + 10 * MIN, 10 * MIN)).toEqual({ kind: 'check', final: false });
    const after = checked(stage, START + 11 * MIN, 'pass');
    expect(nextBakeStep(after, START + 11 * MIN, 10 * MIN)).toEqual({
      kind: 'wait',
      until: START + 21 * MIN,
    });
    expect(after.checkCount).toBe(1);
    expect(after.verdict).toBe('pass');
  });

  it('never waits past its end, and compares for the last time at its end', () => {
    const stage = checked(started(), START + 55 * MIN, 'inconclusive');
    expect(nextBakeStep(stage, START + 56 * MIN, 10 * MIN)).toEqual({
      kind: 'wait',
      until: START + 60 * MIN,
    });
    expect(nextBakeStep(stage, START + 60 * MIN, 10 * MIN)).toEqual({ kind: 'check', final: true });
  });

  it('a resume long after the end compares at once instead of waiting again (the bake is never restarted)', () => {
    expect(nextBakeStep(started(), START + 5 * 60 * MIN, 10 * MIN)).toEqual({ kind: 'check', final: true });
  });

  it('a resume in the middle waits only for what is left of the journaled countdown', () => {
    const step = nextBakeStep(started(), START + 57 * MIN, 120 * MIN);
    expect(step).toEqual({ kind: 'wait', until: START + 60 * MIN });
  });

  it('is decided once the journal holds a decision', () => {
    const decided = applyCanaryRecord(started(), {
      at: iso(START + 60 * MIN),
      event: 'decided',
      canaries: ['db1'],
      verdict: 'pass',
      decision: 'go-on',
      reason: 'canary bake passed',
    });
    expect(nextBakeStep(decided, START + 61 * MIN, 10 * MIN)).toEqual({ kind: 'decided', decision: 'go-on' });
  });

  it('the verdict so far is the worst of the canaries, and nothing to compare is inconclusive', () => {
    const check = (verdict: CanaryCheck['verdict']): CanaryCheck => ({ server: 'x', verdict, evidence: '' });
    expect(bakeVerdict([check('pass'), check('pass')])).toBe('pass');
    expect(bakeVerdict([check('pass'), check('inconclusive')])).toBe('inconclusive');
    expect(bakeVerdict([check('inconclusive'), check('fail')])).toBe('fail');
    expect(bakeVerdict([])).toBe('inconclusive');
  });

  it('stops at the first failed comparison and sends the failing canaries back', () => {
    const checks: CanaryCheck[] = [
      { server: 'db1', verdict: 'pass', evidence: 'ok' },
      { server: 'db2', verdict: 'fail', evidence: 'buffer_pool_reads +900%' },
    ];
    expect(decideAfterCheck(checks, false, 'continue')).toEqual({
      decision: 'stop',
      reason: 'canary bake failed: db2 (buffer_pool_reads +900%)',
      rollBack: ['db2'],
    });
  });

  it('goes on only at the end, on a pass or as gates.inconclusive says', () => {
    const pass: CanaryCheck[] = [{ server: 'db1', verdict: 'pass', evidence: 'ok' }];
    const unsure: CanaryCheck[] = [{ server: 'db1', verdict: 'inconclusive', evidence: 'noisy' }];
    expect(decideAfterCheck(pass, false, 'pause')).toBeUndefined();
    expect(decideAfterCheck(pass, true, 'pause')?.decision).toBe('go-on');
    expect(decideAfterCheck(unsure, true, 'continue')?.decision).toBe('go-on');
    expect(decideAfterCheck(unsure, true, 'pause')).toMatchObject({ decision: 'stop', rollBack: [] });
    expect(decideAfterCheck(unsure, true, 'rollback')).toMatchObject({ decision: 'stop', rollBack: ['db1'] });
  });

  it('stops before any bake when a canary did not come through its own upgrade', () => {
    expect(canaryUpgradeFailure(new Map([['db1', 'Upgraded']]))).toBeUndefined();
    expect(
      canaryUpgradeFailure(
        new Map([
          ['db1', 'Upgraded'],
          ['db2', 'RolledBack'],
        ]),
      ),
    ).toMatchObject({ decision: 'stop', reason: 'canary stage failed before its bake: db2 RolledBack' });
  });
});
