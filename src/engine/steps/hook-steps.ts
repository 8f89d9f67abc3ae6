import type { Next, PendingOutcome } from '../journal/step-detail.js';
import type { EngineHooks, HookVerdict } from '../ports/engine-hooks.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { because, closeWindow, needsPerson, rollBack } from './transitions.js';

type HookName = keyof EngineHooks;

/** The steps that hand over to a hook: they journal what the hook says (HookFacts). */
type HookStepName = 'baseline' | 'readiness-gates' | 'analysis-gates' | 'rollback-gates';

interface HookStepSpec<S extends HookStepName> {
  readonly step: S;
  readonly hook: HookName;
  readonly onPass: (context: StepContext) => Next;
  readonly onFail: (context: StepContext, reason: string) => { next: Next; pending?: PendingOutcome };
  /** Where a `pause` verdict leads (see HookVerdict); without it a pause goes where a fail goes. */
  readonly onPause?: (context: StepContext, reason: string) => { next: Next; pending?: PendingOutcome };
}

async function callHook(hook: HookName, context: StepContext): Promise<HookVerdict | undefined> {
  const run = context.hooks[hook];
  return run === undefined ? undefined : run.call(context.hooks, context.hookContext());
}

/**
 * A step that hands over to a stats or gates hook (issue 5): without a hook it is `skipped` and
 * the server goes on, so the step machine already has every hook point in place.
 */
function hookStep<S extends HookStepName>(spec: HookStepSpec<S>): StepHandler<S> {
  return {
    step: spec.step,
    async run(context): Promise<StepResult<S>> {
      const verdict = await callHook(spec.hook, context);
      if (verdict === undefined) return { event: 'skipped', next: spec.onPass(context) };
      if (verdict.verdict === 'pass') {
        return {
          event: 'succeeded',
          next: spec.onPass(context),
          ...(verdict.detail ? { detail: verdict.detail } : {}),
        };
      }
      const paused = verdict.verdict === 'pause';
      const pausedFor = `paused for a person: ${verdict.reason ?? spec.step}`;
      const reason = paused
        ? spec.onPause
          ? pausedFor
          : `${spec.step}: ${pausedFor}`
        : `${spec.step}: ${verdict.reason ?? 'failed'}`;
      const failure = paused && spec.onPause ? spec.onPause(context, reason) : spec.onFail(context, reason);
      return {
        event: 'failed',
        next: failure.next,
        ...(failure.pending ? { pending: failure.pending } : {}),
        detail: { ...(verdict.detail ?? {}), reason, ...(paused ? { paused: true } : {}) },
      };
    },
    probe: async () => 'rerun',
    onError: (context, error) => spec.onFail(context, because(spec.step, error)),
  };
}

export const baselineStep = hookStep({
  step: 'baseline',
  hook: 'baseline',
  onPass: () => ({ step: 'preflush' }),
  // Before the window nothing was touched: a baseline that cannot be taken stops the server here.
  onFail: (_context, reason) => ({ next: { outcome: 'PrecheckFailed', reason } }),
});

export const readinessGatesStep = hookStep({
  step: 'readiness-gates',
  hook: 'readinessGates',
  onPass: (context) => closeWindow(context),
  onFail: rollBack,
});

export const analysisGatesStep = hookStep({
  step: 'analysis-gates',
  hook: 'analysisGates',
  onPass: () => ({ outcome: 'Upgraded' }),
  onFail: (context, reason) =>
    context.pastPointOfNoReturn()
      ? {
          next: {
            outcome: 'NeedsUserMigration',
            reason: `${reason}; past the point of no return (${context.campaign.pointOfNoReturn}), so no downgrade`,
          },
        }
      : { next: { step: 'rollback-window-open' }, pending: { outcome: 'RolledBack', reason } },
  // The window is closed and users are on the new version: it stays so until a person decides.
  onPause: (_context, reason) => ({ next: { outcome: 'NeedsPerson', reason } }),
});

export const rollbackGatesStep = hookStep({
  step: 'rollback-gates',
  hook: 'rollbackGates',
  onPass: (context) => closeWindow(context),
  onFail: (context, reason) => needsPerson(context, `rolled back, but ${reason}`),
});
