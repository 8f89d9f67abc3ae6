import { ExitStatus, UsageError } from '../core/errors.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { driveWave } from './drive-wave.js';
import { confirmWithOperator, refuseUnconfirmable } from './operator-confirmation.js';
import { rollbackTargets } from './rollback-targets.js';
import type { RunServices } from './run-services.js';
import { type ConfirmedWaveArguments, loadRunnableWave, resolveServers } from './runnable-wave.js';
import { dayToRun, describeWhen } from './wave-day.js';
import { readJournal } from './wave-journal-report.js';

/** The flags of `dbwave rollback`. */
export interface RollbackArguments extends ConfirmedWaveArguments {
  /** `--server`: only this server of the wave. */
  readonly server?: string | undefined;
}

/**
 * `dbwave rollback PLAN --wave N [--server NAME]`: takes every server of the wave that the
 * journal says runs the new version (or the one named) back to the old one, each through its
 * own announced 503 window and the engine's rollback steps (rollback-window-open ...
 * rollback-window-close), journaled and resumable like `run` under the same lock. Past the
 * campaign's point of no return a server is not downgraded: it ends NeedsUserMigration. Exit 0
 * only when every targeted server ends RolledBack.
 */
export async function rollbackWave(args: RollbackArguments, services: RunServices): Promise<ExitStatus> {
  const { streams, clock } = services;
  const runnable = await loadRunnableWave(args, services.cwd);
  const { loaded, wave, stateDir } = runnable;
  const { campaign } = loaded.inventory;
  if (args.server !== undefined && !wave.servers.some((server) => server.name === args.server)) {
    throw new UsageError(`--server ${args.server} is not in wave ${wave.index} of ${args.plan}`);
  }
  const day = dayToRun(wave, args, loaded.plan.timezone, clock.now());
  if (args.yes !== true && !services.interactive) refuseUnconfirmable('rollback');
  // Read without the lock to show what would be rolled back; the lock holder's view decides.
  const before = await readJournal(loaded, stateDir, clock);
  const named = rollbackTargets(wave, before.records, campaign, args.server);
  if (args.server !== undefined && named.length === 0) {
    throw new UsageError(
      `--server ${args.server}: its journal does not say it runs ${campaign.to.version} (Upgraded, or NeedsPerson after the upgrade); nothing to roll back`,
    );
  }
  if (named.length === 0) {
    streams.stdout.write(`wave ${wave.index}: no server runs ${campaign.to.version}; nothing to roll back\n`);
    return ExitStatus.Ok;
  }
  if (args.yes !== true) {
    const confirmed = await confirmWithOperator({
      services,
      campaign,
      heading: `Roll back wave ${wave.index} of ${campaign.campaign}: ${campaign.to.version} -> ${campaign.from.version}, ${describeWhen(day, loaded.plan.timezone)}`,
      serverLines: named.map((name) => `  ${name}`),
      question: `Roll back these ${named.length} servers?`,
    });
    if (!confirmed) return ExitStatus.Unhealthy;
  }
  const operator = `${services.identity.user}@${services.identity.host}`;
  return driveWave({
    runnable,
    plan: args.plan,
    runner: args.runner,
    services,
    action: 'rollback',
    rollbackReason: `rolled back by ${operator} (dbwave rollback --wave ${wave.index})`,
    servers: (records): readonly ResolvedServer[] => {
      // Only what was confirmed, and only if it still runs the new version now that the lock is held.
      const now = new Set(rollbackTargets(wave, records, campaign, args.server));
      return resolveServers(
        runnable,
        named.filter((name) => now.has(name)),
      );
    },
  });
}
