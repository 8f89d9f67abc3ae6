import type { StepName } from '../journal/journal-record.js';
import { analysisGatesStep, baselineStep, readinessGatesStep, rollbackGatesStep } from './hook-steps.js';
import { rollbackPackageStep, upgradeStep } from './package-steps.js';
import { precheckStep } from './precheck-step.js';
import { preflushStep } from './preflush-step.js';
import { forwardShutdownStep, rollbackShutdownStep } from './shutdown-step.js';
import { forwardStartStep, rollbackStartStep } from './start-step.js';
import type { StepHandler } from './step-context.js';
import { postUpgradeStep, rollbackVerifyStep, verifyUpgradeStep } from './verify-steps.js';
import {
  rollbackWindowCloseStep,
  rollbackWindowOpenStep,
  windowCloseStep,
  windowOpenStep,
} from './window-steps.js';

/** Every step's handler, by name. */
export const STEP_HANDLERS: Readonly<Record<StepName, StepHandler>> = {
  precheck: precheckStep,
  baseline: baselineStep,
  preflush: preflushStep,
  'window-open': windowOpenStep,
  shutdown: forwardShutdownStep,
  upgrade: upgradeStep,
  start: forwardStartStep,
  'post-upgrade': postUpgradeStep,
  verify: verifyUpgradeStep,
  'readiness-gates': readinessGatesStep,
  'window-close': windowCloseStep,
  'analysis-gates': analysisGatesStep,
  'rollback-window-open': rollbackWindowOpenStep,
  'rollback-shutdown': rollbackShutdownStep,
  'rollback-package': rollbackPackageStep,
  'rollback-start': rollbackStartStep,
  'rollback-verify': rollbackVerifyStep,
  'rollback-gates': rollbackGatesStep,
  'rollback-window-close': rollbackWindowCloseStep,
};

/** Steps before the window: nothing on them needs a probe, they are run again from precheck. */
export const BEFORE_WINDOW: readonly StepName[] = ['precheck', 'baseline', 'preflush'];

/** Steps that run with users in 503: a resumed run reopens the window before any of them. */
export const INSIDE_WINDOW: readonly StepName[] = [
  'shutdown',
  'upgrade',
  'start',
  'post-upgrade',
  'verify',
  'readiness-gates',
  'rollback-shutdown',
  'rollback-package',
  'rollback-start',
  'rollback-verify',
  'rollback-gates',
];
