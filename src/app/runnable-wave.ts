import { relative } from 'node:path';
import { DbwaveError, ErrorCode, InputError } from '../core/errors.js';
import { loadPlan } from '../inventory/load-plan.js';
import { serverResolver } from '../model/resolve-server.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { checkPlan } from '../planner/check-plan.js';
import { type WaveArguments, type WaveContext, waveContextOf } from './wave-context.js';

/** The flags of the commands that change servers (`run`, `rollback`). */
export interface ConfirmedWaveArguments extends WaveArguments {
  /** `--yes`: nobody is asked. */
  readonly yes?: boolean | undefined;
  /** `--ignore-date`: the wave runs outside its days and daily window. */
  readonly ignoreDate?: boolean | undefined;
  /** `--runner NAME`: this runner's lease name in a MySQL state store (default: the host name). */
  readonly runner?: string | undefined;
}

/** A wave that `run` and `rollback` may hand to the engine. */
export interface RunnableWave extends WaveContext {
  /** The campaign file as the run's messages and dry run show it. */
  readonly shownCampaign: string;
}

/**
 * The plan, checked against its planning rules, and the wave `--wave` names, from a campaign
 * that has its commands: what `run` and `rollback` both need before anything else.
 */
export async function loadRunnableWave(args: WaveArguments, cwd: string): Promise<RunnableWave> {
  const { plan } = args;
  const loaded = await loadPlan(plan, { cwd });
  const { campaign, fleet, campaignFile } = loaded.inventory;
  const shownCampaign = relative(cwd, campaignFile) || campaignFile;
  // Before the wave is looked up: a plan that breaks its rules runs no wave at all.
  const check = checkPlan(loaded.plan, fleet, campaign);
  if (check.violations.length > 0) {
    throw new DbwaveError(
      ErrorCode.PlanViolation,
      `${plan} breaks ${check.violations.length} planning rule(s); run dbwave check ${plan} to see them`,
    );
  }
  const context = waveContextOf(loaded, args.wave, args.stateDir);
  if (!campaign.commands) {
    throw InputError.of(
      shownCampaign,
      'commands',
      'a campaign needs its commands (stop, start, running, ...) to run',
    );
  }
  return { ...context, shownCampaign };
}

/** The named servers of a runnable wave with their class's and campaign's settings applied. */
export function resolveServers(runnable: RunnableWave, names: readonly string[]): ResolvedServer[] {
  const { loaded } = runnable;
  const { campaign, classes, campaignFile } = loaded.inventory;
  const resolver = serverResolver(classes, campaign);
  return names.map((name) => {
    const server = resolver.resolve(name);
    if (!server)
      throw InputError.of(
        loaded.planFile,
        'waves',
        `server ${name} is in no hardware class of ${campaignFile}`,
      );
    return server;
  });
}
