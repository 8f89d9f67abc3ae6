import { DbwaveError, ErrorCode } from '../../core/errors.js';
import { serverVersionIs } from '../../model/version-match.js';
import { serverVersion } from './innodb-queries.js';
import type { StepHandler, StepResult } from './step-context.js';
import { because, needsPerson, rollBack } from './transitions.js';

/** The new server's post-upgrade command (mysql_upgrade / mariadb-upgrade), when the campaign has one. */
export const postUpgradeStep: StepHandler<'post-upgrade'> = {
  step: 'post-upgrade',
  async run(context): Promise<StepResult<'post-upgrade'>> {
    if (!context.commands.has('postUpgrade')) {
      return { event: 'skipped', next: { step: 'verify' } };
    }
    await context.commands.runChecked('post-upgrade', 'postUpgrade');
    return { event: 'succeeded', next: { step: 'verify' } };
  },
  // mysql_upgrade and mariadb-upgrade are safe to run twice.
  probe: async () => 'rerun',
  onError: (context, error) => rollBack(context, because('post-upgrade', error)),
};

function verifyStep<S extends 'verify' | 'rollback-verify'>(step: S): StepHandler<S> {
  const forward = step === 'verify';
  return {
    step,
    async run(context): Promise<StepResult<S>> {
      const expected = forward ? context.campaign.to.version : context.campaign.from.version;
      const version = await serverVersion(await context.sql());
      if (!serverVersionIs(version, expected)) {
        throw new DbwaveError(
          ErrorCode.StepFailed,
          `${context.server.name}: runs ${version}, expected ${expected}`,
        );
      }
      return {
        event: 'succeeded',
        next: { step: forward ? 'readiness-gates' : 'rollback-gates' },
        detail: { version },
      };
    },
    probe: async () => 'rerun',
    onError: (context, error) =>
      forward ? rollBack(context, because(step, error)) : needsPerson(context, because(step, error)),
  };
}

export const verifyUpgradeStep = verifyStep('verify');
export const rollbackVerifyStep = verifyStep('rollback-verify');
