import { hostname, userInfo } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { type RecheckResult, recheckVerdict, recheckWave } from '../../analysis/recheck-wave.js';
import { campaignAdapters } from '../../app/campaign-adapters.js';
import { loadWaveContext } from '../../app/wave-context.js';
import { ExitStatus, UsageError } from '../../core/errors.js';
import { FileJournalStore } from '../../engine/journal/file-journal-store.js';
import { CampaignLock, isProcessAlive } from '../../engine/lock/campaign-lock.js';
import { type Clock, systemClock } from '../../engine/ports/clock.js';
import { serverResolver } from '../../model/resolve-server.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { MetricComparison } from '../../stats/compare/metric-comparison.js';
import { runHandler } from '../run-handler.js';
import { planPositional, stateDirOption, waveOption } from '../shared-options.js';
import { type CommandStreams, processStreams } from './plan.js';

export interface CompareArguments {
  readonly plan: string;
  readonly wave: number;
  readonly server?: string | undefined;
  readonly json?: boolean | undefined;
  readonly stateDir?: string | undefined;
}

export interface CompareServices {
  readonly streams: CommandStreams;
  readonly clock: Clock;
  readonly cwd: string;
  readonly signal: AbortSignal;
}

/**
 * `dbwave compare PLAN --wave N`: samples the wave's upgraded servers again now and journals a
 * `recheck` beside their first comparison (a freshly upgraded server calibrates for a while).
 * Holds the campaign lock while it appends, so it waits for no run and no run for it. Exit 0
 * when every rechecked server passes, 1 otherwise.
 */
export async function compareWave(args: CompareArguments, services: CompareServices): Promise<ExitStatus> {
  const context = await loadWaveContext(args.plan, args.wave, { cwd: services.cwd, stateDir: args.stateDir });
  const { campaign, campaignFile, classes } = context.loaded.inventory;
  const resolver = serverResolver(classes, campaign);
  const servers = context.wave.servers
    .map((planned) => resolver.resolve(planned.name))
    .filter((server): server is ResolvedServer => server !== undefined);
  if (args.server !== undefined && !servers.some((server) => server.name === args.server)) {
    throw new UsageError(
      `--server ${args.server} is not in wave ${args.wave} of ${context.loaded.plan.campaign}`,
    );
  }
  const { lock } = await CampaignLock.acquire({
    stateDir: context.stateDir,
    clock: services.clock,
    identity: { user: userInfo().username, host: hostname(), pid: process.pid },
    purpose: `compare wave ${args.wave}`,
    isProcessAlive,
  });
  const journal = new FileJournalStore({
    stateDir: context.stateDir,
    campaign: context.loaded.plan.campaign,
    clock: services.clock,
  });
  const adapters = await campaignAdapters({ campaign, campaignFile });
  try {
    const history = await journal.read();
    const results = await recheckWave({
      campaign,
      wave: args.wave,
      servers,
      fleet: resolver.all(),
      history: history.records,
      journal,
      sql: (server) => adapters.connectors.sql(server),
      clock: services.clock,
      signal: services.signal,
      ...(args.server === undefined ? {} : { only: args.server }),
    });
    services.streams.stdout.write(
      args.json === true ? `${JSON.stringify(results, null, 2)}\n` : results.map(renderResult).join(''),
    );
    return recheckVerdict(results) === 'pass' ? ExitStatus.Ok : ExitStatus.Unhealthy;
  } finally {
    await adapters.close().catch(() => undefined);
    await journal.close().catch(() => undefined);
    await lock.release();
  }
}

function renderResult(result: RecheckResult): string {
  if ('skipped' in result) return `${result.server}: skipped, ${result.skipped}\n`;
  if ('error' in result) return `${result.server}: could not sample: ${result.error}\n`;
  const rows = result.comparison.metrics.filter((metric) => metric.verdict !== 'no data').map(renderMetric);
  return `${result.server}: innodb ${result.gate.verdict}: ${result.gate.evidence}\n${rows.join('')}`;
}

function renderMetric(metric: MetricComparison): string {
  const judged = metric.judged ? metric.finding : 'info';
  return `  ${metric.name.padEnd(28)} ${judged.padEnd(13)} ${metric.reason}\n`;
}

export const compareCommand: CommandModule<object, CompareArguments> = {
  command: 'compare <plan>',
  describe: "Sample a wave's upgraded servers again now and compare with their baseline and controls",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('server', { type: 'string', describe: 'Only this server of the wave' })
      .option('json', { type: 'boolean', describe: 'Each server as JSON: comparison and verdict' })
      .option('state-dir', stateDirOption)
      .example('$0 compare waves/mysql-5.1.58.plan.yaml --wave 1', 'hours after the wave'),
  handler: (argv) => {
    const controller = new AbortController();
    const stop = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', stop);
    return runHandler(() =>
      compareWave(argv, {
        streams: processStreams,
        clock: systemClock,
        cwd: process.cwd(),
        signal: controller.signal,
      }),
    ).finally(() => process.off('SIGINT', stop));
  },
};
