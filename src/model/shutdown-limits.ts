import type { Campaign } from './campaign-schema.js';

/** The clean shutdown's limits as the shutdown step applies them. */
export interface ShutdownLimits {
  /** Past it: an alert, then the campaign's `overBudget` policy. */
  readonly budgetMs: number;
  /** With policy `wait`, the wait gives up after this long in all. */
  readonly hardLimitMs: number;
}

/** The campaign's shutdown limits; `hardLimit` defaults to twice the budget. */
export function shutdownLimits(campaign: Pick<Campaign, 'shutdown'>): ShutdownLimits {
  const budgetMs = campaign.shutdown.budget;
  return { budgetMs, hardLimitMs: campaign.shutdown.hardLimit ?? budgetMs * 2 };
}

/**
 * A shutdown that has taken `elapsedMs` is over its budget (exceeded, not reached). The shutdown
 * step decides it and journals it; a view of a shutdown still running asks the same question.
 */
export function isOverShutdownBudget(elapsedMs: number, budgetMs: number): boolean {
  return elapsedMs > budgetMs;
}
