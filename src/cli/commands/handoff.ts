import type { Argv, CommandModule } from 'yargs';
import { processIdentity, processServices } from '../../app/command-services.js';
import type { HandoffArguments } from '../../app/record-handoff.js';
import { runHandler } from '../run-handler.js';
import { planPositional, stateDirOption } from '../shared-options.js';

/** `dbwave handoff PLAN --to NAME [--note TEXT]`: see recordHandoff. */
export const handoffCommand: CommandModule<object, HandoffArguments> = {
  command: 'handoff <plan>',
  describe: 'Record that another of the campaign owners is in charge from now on',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('to', { type: 'string', demandOption: true, describe: 'Who takes over: one of owners.people' })
      .option('note', { type: 'string', describe: 'What they must know, one line' })
      .option('json', { type: 'boolean', describe: 'Print the recorded hand-off as JSON' })
      .option('state-dir', stateDirOption),
  handler: (argv) =>
    runHandler(async () =>
      (await import('../../app/record-handoff.js')).recordHandoff(argv, {
        ...processServices(),
        identity: processIdentity(),
      }),
    ),
};
