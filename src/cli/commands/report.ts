import type { Argv, CommandModule } from 'yargs';
import { processServices } from '../../app/command-services.js';
import { REPORT_FORMATS } from '../../app/report-formats.js';
import type { ReportArguments } from '../../app/report-wave.js';
import { runHandler } from '../run-handler.js';
import { outOption, planPositional, stateDirOption, waveOption } from '../shared-options.js';

/** `dbwave report PLAN --wave N`: see reportWave. */
export const reportCommand: CommandModule<object, ReportArguments> = {
  command: 'report <plan>',
  describe: "A wave's report from its journal: Markdown, self-contained HTML or JSON",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('format', { choices: REPORT_FORMATS, describe: 'md (default; fit for a ticket), html or json' })
      .option('json', { type: 'boolean', describe: 'Same as --format json' })
      .option('out', outOption)
      .option('state-dir', stateDirOption)
      .example('$0 report waves/mysql-5.1.58.plan.yaml --wave 1 --format html --out wave1.html', '')
      .example('$0 report waves/mysql-5.1.58.plan.yaml --wave 1 --json', 'the documented JSON shape'),
  handler: (argv) =>
    runHandler(async () => (await import('../../app/report-wave.js')).reportWave(argv, processServices())),
};
