import type { Argv, CommandModule } from 'yargs';
import type { CheckArguments } from '../../app/check-plan-file.js';
import { processStreams } from '../../app/command-services.js';
import { runHandler } from '../run-handler.js';
import { planPositional } from '../shared-options.js';

/** `dbwave check PLAN`: see checkPlanFile. */
export const checkCommand: CommandModule<object, CheckArguments> = {
  command: 'check <plan>',
  describe: 'Check a plan (perhaps edited by hand) against its campaign and fleet',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('json', {
        type: 'boolean',
        describe:
          'Print {plan, ok, waves, servers, violations, warnings} as JSON on stdout (exit statuses unchanged)',
      })
      .example('$0 check waves/mysql-5.1.58.plan.yaml', 'exit 0: ok; 1: violations listed; 2: does not load'),
  handler: (argv) =>
    runHandler(async () =>
      (await import('../../app/check-plan-file.js')).checkPlanFile(argv, processStreams),
    ),
};
