import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ExitStatus, UsageError } from '../../core/errors.js';
import { type Clock, systemClock } from '../../engine/clock.js';
import { renderReportHtml } from '../../report/render-html.js';
import { renderReportJson } from '../../report/render-json.js';
import { renderReportMarkdown } from '../../report/render-markdown.js';
import { loadWaveContext, readJournal, reportFor } from '../../report/wave-context.js';
import { writeFileAtomically } from '../../report/write-file-atomically.js';
import { runHandler } from '../run-handler.js';
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
  if (args.out === undefined) {
    services.streams.stdout.write(text);
  } else {
    const out = resolve(services.cwd, args.out);
    await writeFileAtomically(out, text);
    services.streams.stderr.write(`dbwave: wrote the ${format} report of wave ${args.wave} to ${args.out}\n`);
  }
  return ExitStatus.Ok;
}

export const reportCommand: CommandModule<object, ReportArguments> = {
  command: 'report <plan>',
  describe: "A wave's report from its journal: Markdown, self-contained HTML or JSON",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', {
        type: 'string',
        demandOption: true,
        describe: 'Plan file (waves/<name>.plan.yaml)',
      })
      .option('wave', { type: 'number', demandOption: true, describe: 'Wave number (from 1)' })
      .option('format', { choices: REPORT_FORMATS, describe: 'md (default; fit for a ticket), html or json' })
      .option('json', { type: 'boolean', describe: 'Same as --format json' })
      .option('out', { type: 'string', describe: 'Write to this file (atomically) instead of stdout' })
      .option('state-dir', {
        type: 'string',
        describe: "The campaign's state dir (default from the campaign)",
      })
      .example('$0 report waves/mysql-5.1.58.plan.yaml --wave 1 --format html --out wave1.html', '')
      .example('$0 report waves/mysql-5.1.58.plan.yaml --wave 1 --json', 'the documented JSON shape'),
  handler: (argv) =>
    runHandler(() => reportWave(argv, { streams: processStreams, clock: systemClock, cwd: process.cwd() })),
};
