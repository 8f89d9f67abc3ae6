import type { Argv, CommandModule } from 'yargs';
import { ExitStatus, UsageError } from '../../core/errors.js';
import { FileJournalStore } from '../../engine/journal/file-journal-store.js';
import type { JournalRecord } from '../../engine/journal/journal-record.js';
import { replayJournal, type ServerJournalState } from '../../engine/journal/journal-replay.js';
import { resolveStateDir } from '../../engine/lock/state-dir.js';
import type { Campaign } from '../../model/campaign-schema.js';
import type { PlannedWave } from '../../model/plan.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { versionMatches } from '../../model/version-match.js';
import { planPositional, stateDirOption, waveOption } from '../shared-options.js';
import { waveCommandHandler } from '../wave-command-handler.js';
import {
  dayToRun,
  describeDay,
  driveWave,
  loadRunnableWave,
  type RunServices,
  resolveServers,
} from './run.js';

export interface RollbackArguments {
  readonly plan: string;
  readonly wave: number;
  readonly server?: string | undefined;
  readonly yes?: boolean | undefined;
  readonly ignoreDate?: boolean | undefined;
  readonly stateDir?: string | undefined;
}

/**
 * Whether the journal says a server runs the new version: Upgraded, or NeedsPerson after its
 * verify saw the `to` version (a paused analysis gate, a window that would not close...). A
 * rollback dbwave died in leaves the outcome as it was, so it is found again and resumed.
 */
export function onNewVersion(state: ServerJournalState | undefined, campaign: Campaign): boolean {
  if (state === undefined) return false;
  if (state.outcome === 'Upgraded') return true;
  return (
    state.outcome === 'NeedsPerson' &&
    state.versionAfter !== undefined &&
    versionMatches(state.versionAfter, campaign.to.version)
  );
}

/** The wave's servers to roll back, in plan order: the one named, or every one on the new version. */
export function rollbackTargets(
  wave: PlannedWave,
  records: readonly JournalRecord[],
  campaign: Campaign,
  only?: string,
): string[] {
  const replay = replayJournal(records);
  return wave.servers
    .map((server) => server.name)
    .filter(
      (name) => (only === undefined || name === only) && onNewVersion(replay.servers.get(name), campaign),
    );
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
  const { loaded, wave } = await loadRunnableWave(args.plan, args.wave, services.cwd);
  const { campaign, campaignFile } = loaded.inventory;
  if (args.server !== undefined && !wave.servers.some((server) => server.name === args.server)) {
    throw new UsageError(`--server ${args.server} is not in wave ${wave.index} of ${args.plan}`);
  }
  const day = dayToRun(wave, args, loaded, clock.now());
  if (args.yes !== true && !services.interactive) {
    throw new UsageError(
      'dbwave rollback needs --yes when it is not run from a terminal (nobody can confirm)',
    );
  }
  // Read without the lock to show what would be rolled back; the lock holder's view decides.
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const before = await new FileJournalStore({ stateDir, campaign: campaign.campaign, clock }).read();
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
    const when = day ? describeDay(day, loaded.plan.timezone) : 'now (--ignore-date)';
    streams.stdout.write(
      [
        `Roll back wave ${wave.index} of ${campaign.campaign}: ${campaign.to.version} -> ${campaign.from.version}, ${when}`,
        `Each server gets a 503 window (target ${Math.round(campaign.target503 / 60_000)}m) via ${campaign.maintenance.adapter}.`,
        ...named.map((name) => `  ${name}`),
        '',
      ].join('\n'),
    );
    if (!(await services.confirm(`Roll back these ${named.length} servers?`))) {
      streams.stdout.write('Not confirmed; nothing was done.\n');
      return ExitStatus.Unhealthy;
    }
  }
  const operator = `${services.identity.user}@${services.identity.host}`;
  return driveWave({
    loaded,
    wave,
    plan: args.plan,
    stateDir: args.stateDir,
    services,
    action: 'rollback',
    rollbackReason: `rolled back by ${operator} (dbwave rollback --wave ${wave.index})`,
    servers: (records): readonly ResolvedServer[] => {
      // Only what was confirmed, and only if it still runs the new version now that the lock is held.
      const now = new Set(rollbackTargets(wave, records, campaign, args.server));
      return resolveServers(
        loaded,
        named.filter((name) => now.has(name)),
      );
    },
  });
}

export const rollbackCommand: CommandModule<object, RollbackArguments> = {
  command: 'rollback <plan>',
  describe:
    "Roll a wave's upgraded servers (or one) back to the old version, each through its own 503 window",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('server', { type: 'string', describe: 'Only this server of the wave' })
      .option('yes', { type: 'boolean', describe: 'Do not ask for confirmation (needed without a terminal)' })
      .option('ignore-date', { type: 'boolean', describe: "Run outside the wave's days and daily window" })
      .option('state-dir', stateDirOption)
      .example('$0 rollback waves/mysql-5.1.58.plan.yaml --wave 1', 'asks, then rolls wave 1 back')
      .example('$0 rollback waves/mysql-5.1.58.plan.yaml --wave 1 --server db7 --yes', 'one server'),
  handler: waveCommandHandler(rollbackWave),
};
