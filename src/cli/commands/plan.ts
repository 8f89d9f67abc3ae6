import { dirname, join, relative, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ExitStatus, errorMessage, UsageError } from '../../core/errors.js';
import { writeFileAtomically } from '../../core/write-file-atomically.js';
import { displayPath } from '../../inventory/display-path.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { planToYaml } from '../../inventory/plan-yaml.js';
import { capacityWarning, estimateCapacity } from '../../planner/capacity-estimate.js';
import { planWaves } from '../../planner/plan-waves.js';
import { runHandler } from '../run-handler.js';

/** Where a command writes: the process's streams, or strings in a test. */
export interface CommandStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export const processStreams: CommandStreams = { stdout: process.stdout, stderr: process.stderr };

export interface PlanArguments {
  readonly campaign: string;
  readonly out?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `dbwave plan CAMPAIGN`: loads the campaign and its fleet, plans the waves, and writes the plan
 * beside the campaign as `<campaign>.plan.yaml` (or `--out`). With `--json`, also prints the plan
 * on stdout. Capacity warnings go to stderr. On any error, nothing is written.
 */
export async function planCampaign(
  args: PlanArguments,
  streams: CommandStreams,
  cwd: string = process.cwd(),
): Promise<ExitStatus> {
  const inventory = await loadInventory(args.campaign, { cwd });
  const { campaign, classes } = inventory;
  const out =
    args.out === undefined
      ? join(dirname(inventory.campaignFile), `${campaign.campaign}.plan.yaml`)
      : resolve(cwd, args.out);
  const plan = planWaves(classes, campaign, {
    campaignFile: relative(dirname(out), inventory.campaignFile),
    sources: inventory.sources,
    generatedBy: 'dbwave plan',
  });

  const shownCampaign = displayPath(inventory.campaignFile, cwd);
  for (const day of estimateCapacity(plan, classes, campaign)) {
    const warning = capacityWarning(day);
    if (warning !== undefined) streams.stderr.write(`dbwave: warning: ${shownCampaign}: ${warning}\n`);
  }

  const shownPlan = displayPath(out, cwd);
  const text = planToYaml(plan, [
    `Written by \`dbwave plan ${shownCampaign}\`. Review it and commit it; after any edit, run`,
    `\`dbwave check ${shownPlan}\`. Servers are listed in execution order; each day's capacity is`,
    'informational (`dbwave show` recomputes it).',
  ]);
  try {
    await writeFileAtomically(out, text);
  } catch (error) {
    throw new UsageError(
      `cannot write the plan to ${shownPlan}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
    );
  }
  const servers = plan.waves.reduce((total, wave) => total + wave.servers.length, 0);
  const summary = `wrote ${shownPlan}: ${plan.waves.length} waves, ${servers} servers, ${classes.length} classes in every wave\n`;
  if (args.json === true) {
    streams.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    streams.stderr.write(summary);
  } else {
    streams.stdout.write(summary);
  }
  return ExitStatus.Ok;
}

export const planCommand: CommandModule<object, PlanArguments> = {
  command: 'plan <campaign>',
  describe: 'Plan a campaign into dated waves and write the plan file',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('campaign', {
        type: 'string',
        demandOption: true,
        describe: 'Campaign file (waves/<name>.yaml)',
      })
      .option('out', {
        type: 'string',
        describe: 'Where to write the plan (default: <campaign>.plan.yaml beside the campaign file)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Also print the plan as JSON on stdout' })
      .example('$0 plan waves/mysql-5.1.58.yaml', 'writes waves/mysql-5.1.58.plan.yaml')
      .example('$0 plan waves/mysql-5.1.58.yaml --json --out /tmp/plan.yaml', 'prints the plan as JSON'),
  handler: (argv) => runHandler(() => planCampaign(argv, processStreams)),
};
