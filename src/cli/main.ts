#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitStatus } from '../core/errors.js';
import { tolerateClosedOutput } from './closed-output.js';
import { commands } from './command-list.js';

/**
 * The dbwave command line. Exit statuses: 0 ok, 1 the plan or run is not healthy,
 * 2 invalid input or usage.
 */
async function main(argv: readonly string[]): Promise<void> {
  tolerateClosedOutput(process.stdout);
  tolerateClosedOutput(process.stderr);
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
  skipHelpCache(cli);
  await cli.parseAsync();
}

/** The one yargs internal main.ts touches (yargs 18's `getInternalMethods`, not in its types). */
interface YargsWithUsage {
  readonly getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage: () => void } };
}

/**
 * yargs lays out the chosen command's whole help text each time it starts a handler, in case an
 * async handler asks for it later (`showHelp`); no dbwave handler does (a failure prints one line,
 * see `fail` above), and laying it out was 25-40 ms of every run. `--help` and usage errors build
 * their text as before. Should a later yargs drop the method, the text is built again, unseen.
 */
function skipHelpCache(cli: Argv): void {
  const usage = (cli as unknown as YargsWithUsage).getInternalMethods?.().getUsageInstance();
  if (usage) usage.cacheHelpMessage = () => {};
}

// Not a top-level await: the bundle this file becomes is a CommonJS script (scripts/bundle-cli.mjs),
// which has none. A rejection still ends the process with node's report and status 1, as one would.
void main(process.argv);
