import type { CanaryStageState } from '../journal/canary-stage-state.js';
import type { CanaryCheck, ServerOutcome } from '../journal/journal-record.js';
import { isFailureOutcome } from './failure-budget.js';

/**
 * The canary bake as a state machine over its journaled state and the clock. Pure: the runner
 * asks what to do next, does it, journals it, and asks again; a resumed run asks the same
 * question of the same records and so continues the countdown where it was, never restarting it
 * and never skipping what is left of it.
 */
export type BakeStep =
  /** The bake has not begun: journal its start (and its end time) now. */
  | { readonly kind: 'start' }
  /** Nothing to do until `at` (ms since the epoch): the next comparison or the bake's end. */
  | { readonly kind: 'wait'; readonly until: number }
  /** Compare the canaries with their controls now; `final` at (or past) the bake's end. */
  | { readonly kind: 'check'; readonly final: boolean }
  /** The stage has decided. */
  | { readonly kind: 'decided'; readonly decision: 'go-on' | 'stop' };

/** What the bake does next, from its journaled state, the time now and the campaign's `canary.every`. */
export function nextBakeStep(stage: CanaryStageState | undefined, now: number, everyMs: number): BakeStep {
  if (stage?.decision !== undefined) return { kind: 'decided', decision: stage.decision };
  if (stage?.bakeStartedAt === undefined || stage.endsAt === undefined) return { kind: 'start' };
  const endsAt = Date.parse(stage.endsAt);
  if (now >= endsAt) return { kind: 'check', final: true };
  const lastCheck = Date.parse(stage.checkedAt ?? stage.bakeStartedAt);
  const nextCheck = Math.min(lastCheck + Math.max(1, everyMs), endsAt);
  if (nextCheck < endsAt && now >= nextCheck) return { kind: 'check', final: false };
  return { kind: 'wait', until: nextCheck };
}

/** The verdict so far: the worst of the canaries' comparisons (no comparison is inconclusive). */
export function bakeVerdict(checks: readonly CanaryCheck[]): CanaryCheck['verdict'] {
  if (checks.some((check) => check.verdict === 'fail')) return 'fail';
  if (checks.length === 0 || checks.some((check) => check.verdict === 'inconclusive')) return 'inconclusive';
  return 'pass';
}

/** What the campaign's `gates.inconclusive` makes of a bake that ends inconclusive. */
export type InconclusivePolicy = 'continue' | 'rollback' | 'pause';

/** Whether the wave goes on after a comparison, why, and which canaries go back. */
export interface BakeDecision {
  readonly decision: 'go-on' | 'stop';
  readonly reason: string;
  readonly rollBack: readonly string[];
}

/**
 * After a comparison: a fail stops the wave at once (why wait out the rest of a bake that failed)
 * and sends the failing canaries back; at the end a pass goes on, and an inconclusive verdict is
 * what the campaign's `gates.inconclusive` says (continue goes on; rollback stops and sends the
 * inconclusive canaries back; pause stops and leaves them upgraded, for a person). Undefined while
 * the bake goes on.
 */
export function decideAfterCheck(
  checks: readonly CanaryCheck[],
  final: boolean,
  inconclusive: InconclusivePolicy,
): BakeDecision | undefined {
  const verdict = bakeVerdict(checks);
  const named = (wanted: CanaryCheck['verdict']): readonly CanaryCheck[] =>
    checks.filter((check) => check.verdict === wanted);
  const list = (picked: readonly CanaryCheck[]): string =>
    picked.map((check) => `${check.server} (${check.evidence})`).join('; ');
  if (verdict === 'fail') {
    const failed = named('fail');
    return {
      decision: 'stop',
      reason: `canary bake failed: ${list(failed)}`,
      rollBack: failed.map((check) => check.server),
    };
  }
  if (!final) return undefined;
  if (verdict === 'pass') return { decision: 'go-on', reason: 'canary bake passed', rollBack: [] };
  const unsure = named('inconclusive');
  const what = checks.length === 0 ? 'no canary could be compared' : list(unsure);
  if (inconclusive === 'continue')
    return {
      decision: 'go-on',
      reason: `canary bake inconclusive, and gates.inconclusive is continue: ${what}`,
      rollBack: [],
    };
  return {
    decision: 'stop',
    reason: `canary bake inconclusive, and gates.inconclusive is ${inconclusive}: ${what}`,
    rollBack: inconclusive === 'rollback' ? unsure.map((check) => check.server) : [],
  };
}

/**
 * Before the bake: a canary that did not come through its own upgrade (rolled back, needs a
 * person, ...) stops the wave with nothing to bake. Undefined when every canary is upgraded.
 */
export function canaryUpgradeFailure(outcomes: ReadonlyMap<string, ServerOutcome>): BakeDecision | undefined {
  const failed = [...outcomes].filter(
    ([, outcome]) => isFailureOutcome(outcome) || outcome === 'NotExecuted',
  );
  if (failed.length === 0) return undefined;
  return {
    decision: 'stop',
    reason: `canary stage failed before its bake: ${failed.map(([server, outcome]) => `${server} ${outcome}`).join(', ')}`,
    rollBack: [],
  };
}
