import { ExitStatus } from '../core/errors.js';
import { discoveryOf } from '../gates/fleet-discovery.js';
import { displayPath } from '../inventory/display-path.js';
import { serverResolver } from '../model/resolve-server.js';
import { renderChecklist } from '../report/render-checklist.js';
import type { CommandStreams, OutputFlags } from './command-services.js';
import { observeFleet, type SqlConnector } from './observe-fleet.js';
import { waveCanaries } from './wave-canaries.js';
import { loadWaveContext, type WaveArguments } from './wave-context.js';
import { writeOutput } from './write-output.js';

/** The flags of `dbwave checklist`. */
export interface ChecklistArguments extends Pick<WaveArguments, 'plan' | 'wave'>, OutputFlags {
  /** `--clients`: ask the wave's servers who is connected, and list them (the only connection the checklist makes). */
  readonly clients?: boolean | undefined;
}

/**
 * `dbwave checklist PLAN --wave N`: the day's runbook in Markdown: servers in order with their
 * rendered commands and rollback, the prechecks, who to tell, the window times. Reads only the
 * plan, campaign and fleet (it is meant for the days before the wave), unless `--clients` asks
 * the wave's servers who is connected: those not through the proxy are marked, unexpected ones
 * are warnings.
 */
export async function checklistForWave(
  args: ChecklistArguments,
  streams: CommandStreams,
  cwd: string = process.cwd(),
  sql?: SqlConnector,
): Promise<ExitStatus> {
  const { loaded, wave } = await loadWaveContext({ plan: args.plan, wave: args.wave }, cwd);
  const { campaign, classes, campaignFile } = loaded.inventory;
  const names = new Set(wave.servers.map((server) => server.name));
  const discovery =
    args.clients === true
      ? discoveryOf((await observeFleet(loaded.inventory, sql, names)).discovery, names)
      : undefined;
  const text = renderChecklist({
    campaign,
    campaignFile: displayPath(campaignFile, cwd),
    planFile: args.plan,
    timezone: loaded.plan.timezone,
    wave,
    classes,
    servers: serverResolver(classes, campaign),
    ...optionalCanaries(waveCanaries({ loaded, wave })),
    ...(discovery === undefined ? {} : { discovery }),
  });
  const output =
    args.json === true
      ? `${JSON.stringify({ campaign: campaign.campaign, wave: wave.index, markdown: text }, null, 2)}\n`
      : text;
  await writeOutput(output, args.out, `the checklist of wave ${wave.index}`, { cwd, streams });
  return ExitStatus.Ok;
}

function optionalCanaries(canaries: readonly string[] | undefined): { canaries?: readonly string[] } {
  return canaries === undefined ? {} : { canaries };
}
