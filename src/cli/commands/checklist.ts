import type { Argv, CommandModule } from 'yargs';
import { loadWaveContext } from '../../app/wave-context.js';
import { ExitStatus } from '../../core/errors.js';
import { displayPath } from '../../inventory/display-path.js';
import { serverResolver } from '../../model/resolve-server.js';
import { renderChecklist } from '../../report/render-checklist.js';
import { runHandler } from '../run-handler.js';
import { outOption, planPositional, waveOption, writeOutput } from '../shared-options.js';
import { type CommandStreams, processStreams } from './plan.js';

export interface ChecklistArguments {
  readonly plan: string;
  readonly wave: number;
  readonly out?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `dbwave checklist PLAN --wave N`: the day's runbook in Markdown: servers in order with their
 * rendered commands and rollback, the prechecks, who to tell, the window times. Reads only the
 * plan, campaign and fleet: it is meant for the days before the wave.
 */
export async function checklistForWave(
  args: ChecklistArguments,
  streams: CommandStreams,
  cwd: string = process.cwd(),
): Promise<ExitStatus> {
  const { loaded, wave } = await loadWaveContext(args.plan, args.wave, { cwd });
  const { campaign, classes, campaignFile } = loaded.inventory;
  const text = renderChecklist({
    campaign,
    campaignFile: displayPath(campaignFile, cwd),
    planFile: args.plan,
    timezone: loaded.plan.timezone,
    wave,
    classes,
    servers: serverResolver(classes, campaign),
  });
  const output =
    args.json === true
      ? `${JSON.stringify({ campaign: campaign.campaign, wave: wave.index, markdown: text }, null, 2)}\n`
      : text;
  await writeOutput(output, args.out, `the checklist of wave ${wave.index}`, { cwd, streams });
  return ExitStatus.Ok;
}

export const checklistCommand: CommandModule<object, ChecklistArguments> = {
  command: 'checklist <plan>',
  describe:
    "The day's runbook of a wave: servers in order with their commands and rollback, prechecks, who to tell",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('out', outOption)
      .option('json', {
        type: 'boolean',
        describe: 'The Markdown wrapped in JSON ({campaign, wave, markdown})',
      })
      .example('$0 checklist waves/mysql-5.1.58.plan.yaml --wave 1 > wave-1-checklist.md', ''),
  handler: (argv) => runHandler(() => checklistForWave(argv, processStreams)),
};
