import type { Argv, CommandModule } from 'yargs';
import { processStreams } from '../../app/command-services.js';
import type { ImportCsvArguments } from '../../app/import-inventory.js';
import { runHandler } from '../run-handler.js';
import { importOptions } from './import-options.js';

/** `dbwave import csv FILE`: see importCsvSpreadsheet. */
export const importCsvCommand: CommandModule<object, ImportCsvArguments> = {
  command: 'csv <file>',
  describe: 'Hardware-class files from a spreadsheet saved as CSV (a header row; - for stdin)',
  builder: (yargs: Argv<object>) =>
    importOptions(
      yargs
        .positional('file', {
          type: 'string',
          demandOption: true,
          describe: 'CSV file with a header row (name, host, class, ...: docs/import.md), or - for stdin',
        })
        .option('group-by', {
          type: 'string',
          describe: 'The column whose value is the class (default: the class column)',
        }),
    )
      .example('$0 import csv servers.csv', 'classes from the class column, in hardware-classes/')
      .example('$0 import csv servers.csv --group-by hw_model --dry-run', 'classes from another column'),
  // yargs hands a lone `-` over as an empty string; no file is named '' either. The importers
  // load only when this command runs: every other command starts without them.
  handler: (argv) =>
    runHandler(async () => {
      const { importCsvSpreadsheet } = await import('../../app/import-inventory.js');
      return importCsvSpreadsheet(
        { ...argv, file: argv.file === '' ? '-' : argv.file },
        processStreams,
        process.cwd(),
        process.stdin,
      );
    }),
};
