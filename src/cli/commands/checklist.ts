import type { Argv, CommandModule } from 'yargs';
import type { ChecklistArguments } from '../../app/checklist-for-wave.js';
import { processStreams } from '../../app/command-services.js';
import { runHandler } from '../run-handler.js';
import { outOption, planPositional, waveOption } from '../shared-options.js';

/** `dbwave checklist PLAN --wave N`: see checklistForWave. */
export const checklistCommand: CommandModule<object, ChecklistArguments> = {
  command: 'checklist <plan>',
  describe:
    "The day's runbook of a wave: servers in order with their commands and rollback, prechecks, who to tell",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('out', outOption)
      .option('clients', {
        type: 'boolean',
        describe:
          "Ask the wave's servers who is connected and list the clients, marking those not through the maintenance proxy",
      })
      .option('json', {
        type: 'boolean',
        describe: 'The Markdown wrapped in JSON ({campaign, wave, markdown})',
      })
      .example('$0 checklist waves/mysql-5.1.58.plan.yaml --wave 1 > wave-1-checklist.md', ''),
  handler: (argv) =>
    runHandler(async () =>
      (await import('../../app/checklist-for-wave.js')).checklistForWave(argv, processStreams),
    ),
};
