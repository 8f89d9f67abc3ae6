import { hostname, userInfo } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { ExitStatus, UsageError } from '../../core/errors.js';
import { forceUnlock, inspectLock, isProcessAlive } from '../../engine/lock/campaign-lock.js';
import type { LockIdentity } from '../../engine/lock/lock-owner.js';
import { resolveStateDir } from '../../engine/lock/state-dir.js';
import { type Clock, systemClock } from '../../engine/ports/clock.js';
import { loadPlan } from '../../inventory/load-plan.js';
import { runHandler } from '../run-handler.js';
import { planPositional, stateDirOption } from '../shared-options.js';
import { type CommandStreams, processStreams } from './plan.js';

export interface UnlockArguments {
  readonly plan: string;
  readonly force?: boolean | undefined;
  readonly stateDir?: string | undefined;
}

export interface UnlockServices {
  readonly streams: CommandStreams;
  readonly clock: Clock;
  readonly cwd: string;
  readonly identity: LockIdentity;
}

/**
 * `dbwave unlock PLAN --force`: removes a campaign lock that no run will release (a run on a
 * host that died, a stale heartbeat). Refuses a lock whose process is alive on this host.
 */
export async function unlockCampaign(args: UnlockArguments, services: UnlockServices): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile } = loaded.inventory;
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const options = { stateDir, clock: services.clock, identity: services.identity, isProcessAlive };
  if (args.force !== true) {
    const found = await inspectLock(options);
    const holder =
      found.state === 'free'
        ? 'nobody holds it'
        : `held by ${found.owner.user}@${found.owner.host} pid ${found.owner.pid} since ${found.owner.started} (${found.state})`;
    throw new UsageError(
      `unlock removes the lock of ${campaign.campaign} (${holder}); add --force if that run is really gone`,
    );
  }
  const removed = await forceUnlock(options);
  services.streams.stdout.write(
    removed === undefined
      ? `${campaign.campaign}: no lock to remove\n`
      : `${campaign.campaign}: removed the lock of ${removed.user}@${removed.host} pid ${removed.pid} (since ${removed.started}, last heartbeat ${removed.heartbeat})\n`,
  );
  return ExitStatus.Ok;
}

export const unlockCommand: CommandModule<object, UnlockArguments> = {
  command: 'unlock <plan>',
  describe: "Remove a campaign's lock left by a run that is gone (needs --force)",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('force', { type: 'boolean', describe: 'Really remove it' })
      .option('state-dir', stateDirOption),
  handler: (argv) =>
    runHandler(() =>
      unlockCampaign(argv, {
        streams: processStreams,
        clock: systemClock,
        cwd: process.cwd(),
        identity: { user: userInfo().username, host: hostname(), pid: process.pid },
      }),
    ),
};
