import { describe, expect, it } from 'vitest';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { isOverShutdownBudget, shutdownLimits } from '../../../src/model/shutdown-limits.js';
import {
  closesWindow,
  isRollbackStep,
  opensWindow,
  runsInsideWindow,
  STEPS,
  type StepName,
  windowOpenerOf,
} from '../../../src/model/step-facts.js';

describe('the table of step facts', () => {
  it('pairs every step that closes a window with the step that opened it', () => {
    const closers = STEPS.filter(closesWindow);
    expect(closers.map((step) => [step, windowOpenerOf(step)])).toEqual([
      ['window-close', 'window-open'],
      ['rollback-window-close', 'rollback-window-open'],
    ]);
    expect(STEPS.filter(opensWindow)).toEqual(['window-open', 'rollback-window-open']);
  });

  it("calls a rollback step exactly the steps of the way back, the second window's included", () => {
    expect(STEPS.filter(isRollbackStep)).toEqual(STEPS.filter((step) => step.startsWith('rollback-')));
  });

  it('puts the shutdown, the package and the start inside the window, the analysis gates after it', () => {
    const inside: readonly StepName[] = ['shutdown', 'upgrade', 'start', 'rollback-gates'];
    expect(inside.every(runsInsideWindow)).toBe(true);
    expect(runsInsideWindow('analysis-gates')).toBe(false);
  });
});

describe('the shutdown limits', () => {
  const campaign = (shutdown: object) => campaignFields.shape.shutdown.parse(shutdown);

  it('default the hard limit to twice the budget', () => {
    expect(shutdownLimits({ shutdown: campaign({ budget: '30m' }) })).toEqual({
      budgetMs: 1_800_000,
      hardLimitMs: 3_600_000,
    });
    expect(shutdownLimits({ shutdown: campaign({ budget: '30m', hardLimit: '45m' }) }).hardLimitMs).toBe(
      2_700_000,
    );
  });

  it('default the whole block from its keys: one default, written once', () => {
    expect(campaignFields.shape.shutdown.parse(undefined)).toEqual({ budget: 3_600_000, overBudget: 'wait' });
    expect(campaignFields.shape.preflush.parse(undefined)).toEqual(campaignFields.shape.preflush.parse({}));
    expect(campaignFields.shape.prechecks.parse(undefined)).toEqual({
      maxTransactionAge: 60_000,
      minFreeDiskMb: 1024,
    });
    expect(campaignFields.shape.concurrency.parse(undefined)).toEqual({ wave: 1 });
  });

  it('count a shutdown over budget once it exceeds the budget, not when it reaches it', () => {
    expect(isOverShutdownBudget(60_000, 60_000)).toBe(false);
    expect(isOverShutdownBudget(60_001, 60_000)).toBe(true);
  });
});
