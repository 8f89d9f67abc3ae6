import type { Argv, CommandModule } from 'yargs';
import type { RollbackArguments } from '../../app/rollback-wave.js';
import { serverChangingOptions } from '../shared-options.js';
import { waveCommandHandler } from '../wave-command-handler.js';

/** `dbwave rollback PLAN --wave N`: see rollbackWave. */
export const rollbackCommand: CommandModule<object, RollbackArguments> = {
  command: 'rollback <plan>',
  describe:
    "Roll a wave's upgraded servers (or one) back to the old version, each through its own 503 window",
  builder: (yargs: Argv<object>) =>
    serverChangingOptions(yargs)
      .option('server', { type: 'string', describe: 'Only this server of the wave' })
      .example('$0 rollback waves/mysql-5.1.58.plan.yaml --wave 1', 'asks, then rolls wave 1 back')
      .example('$0 rollback waves/mysql-5.1.58.plan.yaml --wave 1 --server db7 --yes', 'one server'),
  handler: waveCommandHandler(async (args: RollbackArguments, services) =>
    (await import('../../app/rollback-wave.js')).rollbackWave(args, services),
  ),
};
