import type { Argv, CommandModule } from 'yargs';
import type { RunArguments } from '../../app/run-wave-command.js';
import { SELECTOR_KEYS } from '../../model/server-selector.js';
import { serverChangingOptions } from '../shared-options.js';
import { waveCommandHandler } from '../wave-command-handler.js';

/** `dbwave run PLAN --wave N`: see runWaveCommand. */
export const runCommand: CommandModule<object, RunArguments> = {
  command: 'run <plan>',
  describe:
    'Run (or resume) one wave of a plan: 503 window, clean shutdown, upgrade, start, verify, per server',
  builder: (yargs: Argv<object>) =>
    serverChangingOptions(yargs)
      .option('dry-run', {
        type: 'boolean',
        describe: 'Print every command it would run per server; connect to nothing',
      })
      .option('override-order', {
        type: 'boolean',
        describe:
          'Run the wave although the wave before it is not done (needs --reason; journaled, shown in its reports and status)',
      })
      .option('reason', {
        type: 'string',
        describe: 'Why the wave runs out of order (with --override-order)',
      })
      .option('only', {
        type: 'string',
        array: true,
        describe: `This runner's share of the wave, KEY=VALUE, repeatable (KEY: ${SELECTOR_KEYS.join(', ')}); with a MySQL state store several runners claim servers of one wave, the wave's limits held across all of them`,
      })
      .option('metrics-port', {
        type: 'number',
        describe: 'Serve Prometheus /metrics on 127.0.0.1:PORT while the wave runs (0: any free port)',
      })
      .option('metrics-host', {
        type: 'string',
        describe:
          'The address /metrics listens on with --metrics-port (default 127.0.0.1; 0.0.0.0 for every interface)',
      })
      .option('metrics-textfile', {
        type: 'string',
        describe: "Keep a node_exporter textfile (*.prom) of the wave's metrics, rewritten atomically",
      })
      .example('$0 run waves/mysql-5.1.58.plan.yaml --wave 1', 'asks, then runs wave 1 (or resumes it)')
      .example('$0 run waves/mysql-5.1.58.plan.yaml --wave 2 --dry-run', 'what wave 2 would run')
      .example(
        '$0 run waves/mysql-5.1.58.plan.yaml --wave 2 --runner phx1 --only datacenter=phx1',
        "phx1's share of wave 2 (state: { store: mysql } shares the wave with other runners)",
      )
      .example(
        '$0 run waves/mysql-5.1.58.plan.yaml --wave 2 --override-order --reason "db7 is retired"',
        'wave 2 although wave 1 is not done',
      ),
  handler: waveCommandHandler(async (args: RunArguments, services) =>
    (await import('../../app/run-wave-command.js')).runWaveCommand(args, services),
  ),
};
