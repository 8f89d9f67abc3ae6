import type { StepHandler, StepResult } from './step-context.js';
import { because } from './transitions.js';

/**
 * The campaign's `commands.prepare`, after the prechecks and before the window opens: work that
 * needs no window (downloading the package, checking its checksums) is done while users are
 * still served, so the window holds only what must stop them. It changes nothing that runs, so
 * a failure ends the server as a failed precheck would: no window, nothing touched, the reason
 * reported. Without the template the step is skipped.
 */
export const prepareStep: StepHandler<'prepare'> = {
  step: 'prepare',

  async run(context): Promise<StepResult<'prepare'>> {
    if (!context.commands.has('prepare')) return { event: 'skipped', next: { step: 'baseline' } };
    await context.commands.runChecked('prepare', 'prepare');
    return { event: 'succeeded', next: { step: 'baseline' } };
  },

  // A run dbwave died in before the window starts again from precheck; the command is run again.
  probe: async () => 'rerun',

  onError: (_context, error) => ({ next: { outcome: 'PrecheckFailed', reason: because('prepare', error) } }),
};
