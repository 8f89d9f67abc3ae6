import type { Argv, CommandModule } from 'yargs';
import { loadWaveContext, readJournal, reportFor } from '../../app/wave-context.js';
import { ExitStatus, UsageError } from '../../core/errors.js';
import { type Clock, systemClock } from '../../engine/ports/clock.js';
import { renderReportHtml } from '../../report/render-html.js';
import { renderReportJson } from '../../report/render-json.js';
import { renderReportMarkdown } from '../../report/render-markdown.js';
import { runHandler } from '../run-handler.js';
import { outOption, planPositional, stateDirOption, waveOption, writeOutput } from '../shared-options.js';
import { type CommandStreams, processStreams } from './plan.js';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportArguments {
  readonly plan: string;
  readonly wave: number;
  readonly format?: ReportFormat | undefined;
  readonly json?: boolean | undefined;
  readonly out?: string | undefined;
  readonly stateDir?: string | undefined;
}

export interface ReportServices {
  readonly streams: CommandStreams;
  readonly clock: Clock;
  readonly cwd: string;
}

/**
 * `dbwave report PLAN --wave N`: the wave's report from its journal, to stdout or `--out`. Works
 * while the wave runs (it reads without the lock), after a crash, and anywhere the state dir is
 * copied to. Exit 0 once the report is written, whatever the wave's outcome.
 */
export async function reportWave(args: ReportArguments, services: ReportServices): Promise<ExitStatus> {
  if (args.json === true && args.format !== undefined && args.format !== 'json') {
    throw new UsageError(`--json and --format ${args.format} disagree: give one`);
  }
  const format: ReportFormat = args.json === true ? 'json' : (args.format ?? 'md');
  const context = await loadWaveContext(args.plan, args.wave, { cwd: services.cwd, stateDir: args.stateDir });
  const journal = await readJournal(context.stateDir, context.loaded.plan.campaign, services.clock);
  const report = reportFor(context, journal, services.clock.now());
  const timezone = context.loaded.plan.timezone;
  const text =
    format === 'json'
      ? renderReportJson(report)
      : format === 'html'
        ? renderReportHtml(report, {
            timezone,
            innodbBand: context.loaded.inventory.campaign.stats.threshold.relative,
          })
        : renderReportMarkdown(report, { timezone });
  await writeOutput(text, args.out, `the ${format} report of wave ${args.wave}`, services);
  return ExitStatus.Ok;
}

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
    runHandler(() => reportWave(argv, { streams: processStreams, clock: systemClock, cwd: process.cwd() })),
};
