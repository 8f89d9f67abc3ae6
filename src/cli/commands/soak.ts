import type { Argv, CommandModule } from 'yargs';
import { processServices } from '../../app/command-services.js';
import type { SoakArguments } from '../../app/soak-campaign.js';
import { interruptibleHandler } from '../interruptible-handler.js';
import { planPositional, stateDirOption } from '../shared-options.js';

/** `dbwave soak PLAN [--wave N]`: see soakCampaign. */
export const soakCommand: CommandModule<object, SoakArguments> = {
  command: 'soak <plan>',
  describe:
    "Take each soak point as it comes due: compare the waves' upgraded servers again hours after (leave it running)",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', {
        type: 'number',
        describe: "Only this wave's soak points (default: every wave of the plan, through the campaign)",
      })
      .option('state-dir', stateDirOption)
      .example('$0 soak waves/mysql-5.1.58.plan.yaml', 'left running in tmux for the whole campaign')
      .example('$0 soak waves/mysql-5.1.58.plan.yaml --wave 1', "until wave 1's last soak point"),
  handler: (argv) =>
    interruptibleHandler(async (signal) =>
      (await import('../../app/soak-campaign.js')).soakCampaign(argv, { ...processServices(), signal }),
    ),
};
