import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { down } from './commands/down.js';
import { load } from './commands/load.js';
import { fleetStatus, formatStatus } from './commands/status.js';
import { up } from './commands/up.js';
import { FAULT_KINDS, type FaultKind, healHost, injectFault } from './faults.js';
import { FleetPaths } from './fleet-paths.js';
import { fleetMemory, formatMemory } from './fleet-processes.js';
import { FLEET_PORT_OFFSET } from './host-plan.js';

/**
 * `npm run fleet -- <command>`: the local fleet of real MariaDB hosts that dbwave is developed,
 * tested and demonstrated against. See docs/fleet.md.
 */

const log = (line: string): void => console.log(line);

await yargs(hideBin(process.argv))
  .scriptName('npm run fleet --')
  .command(
    'up',
    'build a fresh fleet (stops and wipes the old one; keeps the package cache)',
    (args) =>
      args
        .option('servers', {
          type: 'number',
          default: 9,
          describe: 'how many servers (3 hardware classes, round-robin)',
        })
        .option('state', {
          choices: ['file', 'mysql'] as const,
          default: 'file' as const,
          describe:
            "where the fleet's campaign keeps its state: file (the state dir) or mysql (the fleet's state store)",
        })
        .option('http-port', {
          type: 'number',
          default: 18080 + FLEET_PORT_OFFSET,
          describe: "HAProxy's port for the users' side",
        }),
    async (argv) => {
      await up({ servers: argv.servers, httpPort: argv['http-port'], state: argv.state, log });
    },
  )
  .command('down', 'stop everything up started', {}, async () => {
    await down(log);
  })
  .command('status', 'each host: versions, up or down, window open or closed', {}, async () => {
    const paths = new FleetPaths();
    console.log(formatStatus(await fleetStatus(paths)));
    console.log(`\n${formatMemory(await fleetMemory(paths))}`);
  })
  .command(
    'load',
    'sysbench read-write on every running server and HTTP requests to every shard, then a summary',
    (args) => args.option('seconds', { type: 'number', default: 30, describe: 'how long (at most 3600)' }),
    async (argv) => {
      await load({ seconds: argv.seconds, log });
    },
  )
  .command(
    'fault <server> <kind>',
    'inject a real fault',
    (args) =>
      args
        .positional('server', { type: 'string', demandOption: true })
        .positional('kind', { choices: FAULT_KINDS, demandOption: true }),
    async (argv) => {
      log(await injectFault(new FleetPaths(), argv.server, argv.kind as FaultKind));
    },
  )
  .command(
    'heal <server>',
    'undo every fault injected on a server',
    (args) => args.positional('server', { type: 'string', demandOption: true }),
    async (argv) => {
      const healed = await healHost(new FleetPaths(), argv.server);
      log(
        healed.length === 0
          ? `${argv.server}: no fault to heal`
          : `${argv.server}: healed ${healed.join(', ')}`,
      );
    },
  )
  .demandCommand(1)
  .strict()
  .fail((message, error) => {
    // A user's mistake or a failed step: one clear line (and the cause's first lines), no stack.
    console.error(`fleet: ${error ? error.message : message}`);
    process.exit(1);
  })
  .parseAsync();
