import { dirname, join, relative, resolve } from 'node:path';
import { ExitStatus, errorMessage, InputError, UsageError } from '../core/errors.js';
import { timePhase, timePhaseAsync } from '../core/phase-timing.js';
import { writeFileAtomically } from '../core/write-file-atomically.js';
import { displayPath } from '../inventory/display-path.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { planToYaml } from '../inventory/plan-yaml.js';
import { describeChangeAndPointOfNoReturn } from '../model/campaign-change.js';
import { canaryIssues, plannedCanaries } from '../planner/canary-selection.js';
import { planWaves } from '../planner/plan-waves.js';
import type { CommandStreams, OutputFlags } from './command-services.js';
import { planWarnings } from './plan-warnings.js';

/** The flags of `dbwave plan`. */
export interface PlanArguments extends OutputFlags {
  readonly campaign: string;
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
  const plan = timePhase('plan', () =>
    planWaves(inventory.fleet, campaign, {
      campaignFile: relative(dirname(out), inventory.campaignFile),
      sources: inventory.sources,
      generatedBy: 'dbwave plan',
    }),
  );

  const canary = canaryIssues(plan, campaign.canary, classes, inventory.sources.campaign);
  if (canary.length > 0) throw new InputError(canary);
  const canaryLines = [...plannedCanaries(plan, campaign.canary, classes)].map(
    ([wave, names]) =>
      `Canaries of wave ${wave} (campaign canary: they run first, then the bake): ${names.join(', ')}`,
  );

  const shownCampaign = displayPath(inventory.campaignFile, cwd);
  for (const warning of timePhase('plan', () => planWarnings(plan, inventory))) {
    streams.stderr.write(`dbwave: warning: ${shownCampaign}: ${warning}\n`);
  }

  const shownPlan = displayPath(out, cwd);
  const text = timePhase('output', () =>
    planToYaml(plan, [
      `Written by \`dbwave plan ${shownCampaign}\`. Review it and commit it; after any edit, run`,
      `\`dbwave check ${shownPlan}\`. Servers are listed in execution order; each day's capacity is`,
      'informational (`dbwave show` recomputes it).',
      ...canaryLines,
      `The campaign: ${describeChangeAndPointOfNoReturn(campaign)}.`,
    ]),
  );
  try {
    // 0644 for a new plan: it is reviewed, committed and read by every operator of the checkout.
    await timePhaseAsync('output', () => writeFileAtomically(out, text, { mode: 0o644 }));
  } catch (error) {
    throw new UsageError(
      `cannot write the plan to ${shownPlan}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
    );
  }
  const servers = plan.waves.reduce((total, wave) => total + wave.servers.length, 0);
  const summary = `wrote ${shownPlan}: ${plan.waves.length} waves, ${servers} servers, ${classes.length} classes in every wave\n${canaryLines.map((line) => `${line}\n`).join('')}`;
  if (args.json === true) {
    timePhase('output', () => streams.stdout.write(`${JSON.stringify(plan, null, 2)}\n`));
    streams.stderr.write(summary);
  } else {
    streams.stdout.write(summary);
  }
  return ExitStatus.Ok;
}
