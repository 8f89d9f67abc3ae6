import type { Argv, CommandModule } from 'yargs';
import { processServices } from '../../app/command-services.js';
import type { CompareArguments } from '../../app/compare-wave.js';
import { interruptibleHandler } from '../interruptible-handler.js';
import { planPositional, stateDirOption, waveOption } from '../shared-options.js';

/** `dbwave compare PLAN --wave N`: see compareWave. */
export const compareCommand: CommandModule<object, CompareArguments> = {
  command: 'compare <plan>',
  describe: "Sample a wave's upgraded servers again now and compare with their baseline and controls",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('server', { type: 'string', describe: 'Only this server of the wave' })
      .option('json', { type: 'boolean', describe: 'Each server as JSON: comparison and verdict' })
      .option('state-dir', stateDirOption)
      .example('$0 compare waves/mysql-5.1.58.plan.yaml --wave 1', 'hours after the wave'),
  handler: (argv) =>
    interruptibleHandler(async (signal) =>
      (await import('../../app/compare-wave.js')).compareWave(argv, { ...processServices(), signal }),
    ),
};
