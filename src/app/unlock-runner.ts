import { leaseOwner, removeStaleLease } from '../adapters/state/mysql-campaign-lease.js';
import { formatDuration } from '../core/duration.js';
import { DbwaveError, ErrorCode, ExitStatus, UsageError } from '../core/errors.js';
import type { LoadedPlan } from '../inventory/load-plan.js';
import { openCampaignState, openMysqlState } from './campaign-state.js';
import type { CommandServices } from './command-services.js';

/**
 * `dbwave unlock PLAN --runner NAME --force` on a MySQL store: removes the lease of a runner
 * that is gone (removeStaleLease), so that another runner takes its servers over at its next
 * claim. Refuses a fresh lease (exit 3): that runner is alive. Without `--runner` it lists the
 * runners; without `--force` it says what it would remove (exit 2, nothing changed).
 */
export async function unlockRunner(
  args: {
    readonly runner?: string | undefined;
    readonly force?: boolean | undefined;
    readonly stateDir?: string | undefined;
  },
  loaded: LoadedPlan,
  services: CommandServices,
): Promise<ExitStatus> {
  const { campaign, campaignFile } = loaded.inventory;
  const store = campaign.state;
  if (store?.store !== 'mysql') throw new Error('unlockRunner is for the MySQL store');
  if (args.runner === undefined || args.force !== true) {
    const state = await openCampaignState({
      campaign,
      campaignFile,
      stateDir: args.stateDir ?? '.',
      clock: services.clock,
    });
    const runners = await state.holders().finally(() => state.close());
    const listed =
      runners.length === 0
        ? 'no runner holds a lease'
        : runners
            .map(
              (lease) =>
                `${lease.runner} (${lease.owner.user}@${lease.owner.host} pid ${lease.owner.pid}, lease ${lease.expired ? 'EXPIRED' : 'live'})`,
            )
            .join(', ');
    throw new UsageError(
      `${campaign.campaign} keeps its state in a MySQL store: unlock removes one runner's stale lease, named with --runner NAME and confirmed with --force (runners: ${listed})`,
    );
  }
  const connection = await openMysqlState(store, campaignFile, services.clock);
  try {
    const result = await removeStaleLease(connection, campaign.campaign, args.runner, store.lease);
    if ('refused' in result) {
      const owner = leaseOwner(result.lease);
      throw new DbwaveError(
        ErrorCode.Locked,
        `runner ${args.runner}'s lease is fresh (${owner.user}@${owner.host} pid ${owner.pid}, last heartbeat ${owner.heartbeat}): that runner is alive; stop it on ${owner.host}, or try again once its heartbeat is older than ${formatDuration(result.staleAfterMs)}`,
      );
    }
    services.streams.stdout.write(
      result.removed === 'nothing'
        ? `${campaign.campaign}: runner ${args.runner} holds no lease; nothing to remove\n`
        : `${campaign.campaign}: removed the lease of runner ${args.runner} (${result.lease.operator}@${result.lease.host} pid ${result.lease.pid}, token ${result.lease.token}, last heartbeat ${leaseOwner(result.lease).heartbeat}); the next claim of any runner takes its servers over\n`,
    );
    return ExitStatus.Ok;
  } finally {
    await connection.close();
  }
}
