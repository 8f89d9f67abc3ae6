import type { Argv, CommandModule } from 'yargs';
import { processIdentity, processServices } from '../../app/command-services.js';
import type { UnlockArguments } from '../../app/unlock-campaign.js';
import { runHandler } from '../run-handler.js';
import { planPositional, stateDirOption } from '../shared-options.js';

/** `dbwave unlock PLAN --force`: see unlockCampaign. */
export const unlockCommand: CommandModule<object, UnlockArguments> = {
  command: 'unlock <plan>',
  describe:
    "Remove a campaign's lock left by a run that is gone, or with a MySQL store a gone runner's lease (needs --force)",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('force', { type: 'boolean', describe: 'Really remove it' })
      .option('runner', {
        type: 'string',
        describe:
          'With a MySQL state store: the runner whose stale lease is removed (a fresh one is refused)',
      })
      .option('state-dir', stateDirOption),
  handler: (argv) =>
    runHandler(async () =>
      (await import('../../app/unlock-campaign.js')).unlockCampaign(argv, {
        ...processServices(),
        identity: processIdentity(),
      }),
    ),
};
