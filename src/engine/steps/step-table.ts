import type { StepName } from '../journal/journal-record.js';
import { analysisGatesStep, baselineStep, readinessGatesStep, rollbackGatesStep } from './hook-steps.js';
import { rollbackPackageStep, upgradeStep } from './package-steps.js';
import { precheckStep } from './precheck-step.js';
import { preflushStep } from './preflush-step.js';
import { prepareStep } from './prepare-step.js';
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
export const STEP_HANDLERS: { readonly [S in StepName]: StepHandler<S> } = {
  precheck: precheckStep,
  prepare: prepareStep,
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

/** The handler of `step`, typed by its step. */
export function handlerFor<S extends StepName>(step: S): StepHandler<S> {
  return STEP_HANDLERS[step];
}
