import { ExitStatus, UsageError } from '../core/errors.js';
import { renderReportHtml } from '../report/render-html.js';
import { renderReportJson } from '../report/render-json.js';
import { renderReportMarkdown } from '../report/render-markdown.js';
import type { CommandServices, OutputFlags } from './command-services.js';
import type { ReportFormat } from './report-formats.js';
import { loadWaveContext, type WaveArguments } from './wave-context.js';
import { readJournal, reportFor } from './wave-journal-report.js';
import { writeOutput } from './write-output.js';

export { REPORT_FORMATS, type ReportFormat } from './report-formats.js';

/** The flags of `dbwave report`. */
export interface ReportArguments extends WaveArguments, OutputFlags {
  readonly format?: ReportFormat | undefined;
}

/**
 * `dbwave report PLAN --wave N`: the wave's report from its journal, to stdout or `--out`. Works
 * while the wave runs (it reads without the lock), after a crash, and anywhere the state dir is
 * copied to. Exit 0 once the report is written, whatever the wave's outcome.
 */
export async function reportWave(args: ReportArguments, services: CommandServices): Promise<ExitStatus> {
  if (args.json === true && args.format !== undefined && args.format !== 'json') {
    throw new UsageError(`--json and --format ${args.format} disagree: give one`);
  }
  const format: ReportFormat = args.json === true ? 'json' : (args.format ?? 'md');
  const context = await loadWaveContext(args, services.cwd);
  const journal = await readJournal(context.loaded, context.stateDir, services.clock);
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
