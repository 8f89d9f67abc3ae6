import type { Argv, CommandModule } from 'yargs';
import { processStreams } from '../../app/command-services.js';
import type { ShowArguments } from '../../app/show-plan-file.js';
import { runHandler } from '../run-handler.js';
import { planPositional } from '../shared-options.js';

/** `dbwave show PLAN`: see showPlanFile. */
export const showCommand: CommandModule<object, ShowArguments> = {
  command: 'show <plan>',
  describe: 'Show a plan: per wave and day, the classes, counts and capacity estimate',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('json', { type: 'boolean', default: false, describe: 'Print the same as JSON' })
      .example('$0 show waves/mysql-5.1.58.plan.yaml', 'a table per wave'),
  handler: (argv) =>
    runHandler(async () => (await import('../../app/show-plan-file.js')).showPlanFile(argv, processStreams)),
};
