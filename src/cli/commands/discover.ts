import type { Argv, CommandModule } from 'yargs';
import { processServices } from '../../app/command-services.js';
import type { DiscoverArguments } from '../../app/discover-plan.js';
import { runHandler } from '../run-handler.js';
import { planPositional } from '../shared-options.js';

/** `dbwave discover PLAN`: see discoverPlan. */
export const discoverCommand: CommandModule<object, DiscoverArguments> = {
  command: 'discover <plan>',
  describe:
    "Ask every server what it is in replication and who is connected; compare with the class files' cluster and role",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('write', {
        type: 'boolean',
        describe:
          'Fill cluster and role into the hardware-class files from what the servers say (comments kept)',
      })
      .option('json', {
        type: 'boolean',
        describe:
          'Print {plan, ok, servers, mismatches, unreachable, unexpectedClients} as JSON on stdout (exit statuses unchanged)',
      })
      .example(
        '$0 discover waves/mysql-5.1.58.plan.yaml',
        'exit 0: agrees; 1: mismatch or unreachable; 2: does not load',
      )
      .example(
        '$0 discover waves/mysql-5.1.58.plan.yaml --write',
        'fill cluster and role into the class files',
      ),
  handler: (argv) =>
    runHandler(async () =>
      (await import('../../app/discover-plan.js')).discoverPlan(argv, processServices()),
    ),
};
