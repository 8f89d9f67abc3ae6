/**
 * The per-server steps and what is true of each: where it stands to the user-facing 503 window,
 * whether it is on the way back to the `from` version. The engine's step loop, the journal
 * replay, the metrics, the progress view and the reports all read this one table.
 */

/** The per-server steps, in the order a healthy upgrade takes them, then a rollback's own. */
export const STEPS = [
  'precheck',
  'prepare',
  'baseline',
  'preflush',
  'window-open',
  'shutdown',
  'upgrade',
  'start',
  'post-upgrade',
  'verify',
  'readiness-gates',
  'window-close',
  'analysis-gates',
  // A rollback's own steps: the second window (when the first is already closed) and the way back.
  'rollback-window-open',
  'rollback-shutdown',
  'rollback-package',
  'rollback-start',
  'rollback-verify',
  'rollback-gates',
  'rollback-window-close',
] as const;
export type StepName = (typeof STEPS)[number];

/**
 * Steps a campaign may name as its point of no return (`pointOfNoReturn`): once one of them has
 * run, a downgrade would need a user migration. The steps that change what is installed or what
 * the server has written.
 */
export const POINT_OF_NO_RETURN_STEPS = ['upgrade', 'start', 'post-upgrade'] as const;

/**
 * Where a step stands to the user-facing 503 window:
 * - `before`: nothing touched yet; a run dbwave died in starts again from precheck;
 * - `opens` / `closes`: the step opens or closes a window;
 * - `inside`: users are in 503; a resumed run reopens the window before it;
 * - `after`: under users' traffic again.
 */
export type WindowPlace = 'before' | 'opens' | 'inside' | 'closes' | 'after';

export interface StepFacts {
  readonly window: WindowPlace;
  /** On the way back to the `from` version (a rollback's own steps, second window included). */
  readonly rollback: boolean;
  /** For a step that closes a window: the step that opened it. */
  readonly opener?: StepName;
}

/** Every step's facts. */
export const STEP_FACTS: { readonly [S in StepName]: StepFacts } = {
  precheck: { window: 'before', rollback: false },
  // The campaign's `commands.prepare` (a package download and its checksums): no window needed.
  prepare: { window: 'before', rollback: false },
  baseline: { window: 'before', rollback: false },
  preflush: { window: 'before', rollback: false },
  'window-open': { window: 'opens', rollback: false },
  shutdown: { window: 'inside', rollback: false },
  upgrade: { window: 'inside', rollback: false },
  start: { window: 'inside', rollback: false },
  'post-upgrade': { window: 'inside', rollback: false },
  verify: { window: 'inside', rollback: false },
  'readiness-gates': { window: 'inside', rollback: false },
  'window-close': { window: 'closes', rollback: false, opener: 'window-open' },
  'analysis-gates': { window: 'after', rollback: false },
  'rollback-window-open': { window: 'opens', rollback: true },
  'rollback-shutdown': { window: 'inside', rollback: true },
  'rollback-package': { window: 'inside', rollback: true },
  'rollback-start': { window: 'inside', rollback: true },
  'rollback-verify': { window: 'inside', rollback: true },
  'rollback-gates': { window: 'inside', rollback: true },
  'rollback-window-close': { window: 'closes', rollback: true, opener: 'rollback-window-open' },
};

/** The step opens a 503 window. */
export function opensWindow(step: StepName): boolean {
  return STEP_FACTS[step].window === 'opens';
}

/** The step closes a 503 window. */
export function closesWindow(step: StepName): boolean {
  return STEP_FACTS[step].window === 'closes';
}

/** The step runs with users in 503. */
export function runsInsideWindow(step: StepName): boolean {
  return STEP_FACTS[step].window === 'inside';
}

/** The step runs before any window: nothing on the server has changed yet. */
export function runsBeforeWindow(step: StepName): boolean {
  return STEP_FACTS[step].window === 'before';
}

/** The step is on the way back to the `from` version. */
export function isRollbackStep(step: StepName): boolean {
  return STEP_FACTS[step].rollback;
}

/** For a step that closes a window, the step that opened it. */
export function windowOpenerOf(step: StepName): StepName | undefined {
  return STEP_FACTS[step].opener;
}
