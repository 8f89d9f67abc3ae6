import { ExitStatus, UsageError } from '../core/errors.js';
import { forceUnlock, inspectLock, isProcessAlive, type RemovedLock } from '../engine/lock/campaign-lock.js';
import type { LockIdentity } from '../engine/lock/lock-owner.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import { loadPlan } from '../inventory/load-plan.js';
import type { CommandServices } from './command-services.js';
import { unlockRunner } from './unlock-runner.js';

/** The flags of `dbwave unlock`. */
export interface UnlockArguments {
  readonly plan: string;
  readonly force?: boolean | undefined;
  /** `--runner NAME`: with the MySQL store, the runner whose stale lease is removed. */
  readonly runner?: string | undefined;
  readonly stateDir?: string | undefined;
}

/** What `dbwave unlock` is given: the process's services, and who asks. */
export interface UnlockServices extends CommandServices {
  readonly identity: LockIdentity;
}

/**
 * `dbwave unlock PLAN --force`: removes a campaign lock that no run will release (a run on a
 * host that died, a stale heartbeat, a file that is no lock). Refuses one a run may still hold:
 * a live process of this host, or a fresh heartbeat of any host.
 */
export async function unlockCampaign(args: UnlockArguments, services: UnlockServices): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile } = loaded.inventory;
  if (campaign.state?.store === 'mysql') return unlockRunner(args, loaded, services);
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const options = { stateDir, clock: services.clock, identity: services.identity, isProcessAlive };
  if (args.force !== true) {
    const found = await inspectLock(options);
    const holder =
      found.state === 'free'
        ? 'nobody holds it'
        : found.state === 'unreadable'
          ? `its file is no lock: ${found.problem}`
          : `held by ${found.owner.user}@${found.owner.host} pid ${found.owner.pid} since ${found.owner.started} (${found.state})`;
    throw new UsageError(
      `unlock removes the lock of ${campaign.campaign} (${holder}); add --force if that run is really gone`,
    );
  }
  const result = await forceUnlock(options, (message) =>
    services.streams.stderr.write(`dbwave: ${message}\n`),
  );
  services.streams.stdout.write(`${campaign.campaign}: ${describeRemoved(result)}\n`);
  return ExitStatus.Ok;
}

function describeRemoved(result: RemovedLock): string {
  switch (result.removed) {
    case 'nothing':
      return 'no lock to remove';
    case 'unreadable':
      return `removed a lock file that was no lock (${result.problem})`;
    case 'owner': {
      const { owner } = result;
      return `removed the lock of ${owner.user}@${owner.host} pid ${owner.pid} (since ${owner.started}, last heartbeat ${owner.heartbeat})`;
    }
  }
}
