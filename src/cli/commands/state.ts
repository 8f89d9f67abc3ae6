import type { Argv, CommandModule } from 'yargs';
import { processServices } from '../../app/command-services.js';
import type { StateInitArguments } from '../../app/init-state-store.js';
import { runHandler } from '../run-handler.js';
import { planPositional } from '../shared-options.js';

const initCommand: CommandModule<object, StateInitArguments> = {
  command: 'init <plan>',
  describe: "Create the campaign's MySQL state store (idempotent, versioned)",
  builder: (yargs: Argv<object>) => yargs.positional('plan', planPositional),
  handler: (argv) =>
    runHandler(async () =>
      (await import('../../app/init-state-store.js')).initStateStore(argv, processServices()),
    ),
};

/** `dbwave state init PLAN`: see initStateStore. */
export const stateCommand: CommandModule<object, object> = {
  command: 'state <action>',
  describe: "Set up the campaign's state store (state init)",
  builder: (yargs: Argv<object>) => yargs.command(initCommand).demandCommand(1),
  handler: () => undefined,
};
