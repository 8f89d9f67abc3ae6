import type { Argv, CommandModule } from 'yargs';
import { processStreams } from '../../app/command-services.js';
import type { PlanArguments } from '../../app/plan-campaign.js';
import { runHandler } from '../run-handler.js';

/** `dbwave plan CAMPAIGN`: see planCampaign. */
export const planCommand: CommandModule<object, PlanArguments> = {
  command: 'plan <campaign>',
  describe: 'Plan a campaign into dated waves and write the plan file',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('campaign', {
        type: 'string',
        demandOption: true,
        describe: 'Campaign file (waves/<name>.yaml)',
      })
      .option('out', {
        type: 'string',
        describe: 'Where to write the plan (default: <campaign>.plan.yaml beside the campaign file)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Also print the plan as JSON on stdout' })
      .example('$0 plan waves/mysql-5.1.58.yaml', 'writes waves/mysql-5.1.58.plan.yaml')
      .example('$0 plan waves/mysql-5.1.58.yaml --json --out /tmp/plan.yaml', 'prints the plan as JSON'),
  handler: (argv) =>
    runHandler(async () => (await import('../../app/plan-campaign.js')).planCampaign(argv, processStreams)),
};
