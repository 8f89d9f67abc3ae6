#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitStatus } from '../core/errors.js';
import { commands } from './command-list.js';

/**
 * The dbwave command line. Exit statuses: 0 ok, 1 the plan or run is not healthy,
 * 2 invalid input or usage.
 */
async function main(argv: readonly string[]): Promise<void> {
  let cli = yargs(hideBin([...argv]))
    .scriptName('dbwave')
    .usage('$0 <command> [options]\n\nUpgrade a fleet of MySQL/MariaDB servers in rolling, dated waves.')
    .strict()
    .demandCommand(1, 'Name a command; see dbwave --help.')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`dbwave: ${message}\nRun dbwave --help for usage.\n`);
      process.exit(ExitStatus.InvalidInput);
    });
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}

await main(process.argv);
