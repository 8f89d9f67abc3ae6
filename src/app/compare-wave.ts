import { type RecheckResult, recheckVerdict, recheckWave } from '../analysis/recheck-wave.js';
import { ExitStatus, UsageError } from '../core/errors.js';
import { serverResolver } from '../model/resolve-server.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import type { MetricComparison } from '../stats/compare/metric-comparison.js';
import type { CommandServices } from './command-services.js';
import { withSamplingSession } from './sampling-session.js';
import { loadWaveContext, type WaveArguments } from './wave-context.js';

/** The flags of `dbwave compare`. */
export interface CompareArguments extends WaveArguments {
  /** `--server`: only this server of the wave. */
  readonly server?: string | undefined;
  readonly json?: boolean | undefined;
}

/** What `dbwave compare` is given: the process's services, and Ctrl-C. */
export interface CompareServices extends CommandServices {
  /** Ends the sampling early (SIGINT in the CLI). */
  readonly signal: AbortSignal;
}

/**
 * `dbwave compare PLAN --wave N`: samples the wave's upgraded servers again now and journals a
 * `recheck` beside their first comparison (a freshly upgraded server calibrates for a while).
 * Holds the campaign lock while it appends, so it waits for no run and no run for it. Exit 0
 * when every rechecked server passes, 1 otherwise.
 */
export async function compareWave(args: CompareArguments, services: CompareServices): Promise<ExitStatus> {
  const context = await loadWaveContext(args, services.cwd);
  const { campaign, classes } = context.loaded.inventory;
  const resolver = serverResolver(classes, campaign);
  const servers = context.wave.servers
    .map((planned) => resolver.resolve(planned.name))
    .filter((server): server is ResolvedServer => server !== undefined);
  if (args.server !== undefined && !servers.some((server) => server.name === args.server)) {
    throw new UsageError(
      `--server ${args.server} is not in wave ${args.wave} of ${context.loaded.plan.campaign}`,
    );
  }
  return withSamplingSession(
    {
      inventory: context.loaded.inventory,
      stateDir: context.stateDir,
      purpose: `compare wave ${args.wave}`,
      services,
    },
    async ({ journal, adapters }) => {
      const history = await journal.read();
      const results = await recheckWave({
        campaign,
        wave: args.wave,
        servers,
        fleet: resolver.all(),
        history: history.records,
        journal,
        sql: (server) => adapters.connectors.sql(server),
        metricHistory: adapters.metricHistory,
        clock: services.clock,
        signal: services.signal,
        ...(args.server === undefined ? {} : { only: args.server }),
      });
      services.streams.stdout.write(
        args.json === true ? `${JSON.stringify(results, null, 2)}\n` : results.map(renderResult).join(''),
      );
      return recheckVerdict(results) === 'pass' ? ExitStatus.Ok : ExitStatus.Unhealthy;
    },
  );
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
