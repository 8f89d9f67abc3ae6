import { planVariant } from './bench-campaign.js';
import { type FleetState, restoreServer } from './bench-fleet.js';
import { medianOf, seconds, type TargetResult } from './bench-report.js';
import { bestMakespan } from './best-makespan.js';
import { waveTimings } from './journal-timings.js';
import { runProblem, watchedRun } from './watched-run.js';

/**
 * Target 4: a wave of every bench server at concurrency 1, 2 and 3. Its wall time (journal wave
 * `started` -> `finished`) should be within 10% of servers / concurrency x the run's mean
 * per-server time (first step -> outcome): the wall time if the scheduler wasted nothing. The
 * mean, not the median: servers / concurrency x mean is the wave's work shared by its slots,
 * where one slow server (or the 2-core machine slowing three servers at once unevenly) moves the
 * median-based figure by its skew, not by anything dbwave does; that figure is printed too.
 * Also gives the shutdown-notice samples of target 4b and dbwave's resident memory over whole
 * waves (target 5).
 */

export const WAVE_TOLERANCE = 0.1;

export interface ConcurrencyBenchResult {
  readonly target: TargetResult;
  readonly noticeLagMs: readonly number[];
  /** dbwave's RSS samples (KiB) per wave run. */
  readonly rssKib: readonly (readonly number[])[];
}

export async function concurrencyBench(
  state: FleetState,
  serverNames: readonly string[],
  concurrencies: readonly number[],
  log: (line: string) => void,
): Promise<ConcurrencyBenchResult> {
  const fleet = state.manifest;
  const servers = fleet.servers.filter((server) => serverNames.includes(server.name));
  const rows: {
    concurrency: number;
    wallMs: number;
    perServerMeanMs: number;
    /** servers / concurrency x mean per-server time: the wall time with perfect packing. */
    expectedMs: number;
    deviation: number;
    /** ceil(servers / concurrency) x the median per-server time, for comparison. */
    medianExpectedMs: number;
    /** The best any scheduler could do with these durations known in advance. */
    bestMs: number;
  }[] = [];
  const noticeLagMs: number[] = [];
  const rssKib: number[][] = [];
  for (const concurrency of concurrencies) {
    const planned = await planVariant(fleet, {
      name: `wave-c${concurrency}`,
      servers: serverNames,
      concurrency,
      preflush: true,
    });
    await Promise.all(servers.map((server) => restoreServer(fleet, server)));
    const watched = await watchedRun(state, planned.planFile, servers);
    const problem = runProblem(watched, servers);
    if (problem !== undefined) throw new Error(`wave bench, concurrency ${concurrency}:\n${problem}`);
    noticeLagMs.push(...watched.noticeLagMs.values());
    rssKib.push([...watched.run.rssKib]);
    const timing = waveTimings(watched.run.records, 1);
    if (!timing)
      throw new Error(`wave bench, concurrency ${concurrency}: no wave started/finished in the journal`);
    const perServer = Object.values(timing.perServerMs);
    const perServerMeanMs = perServer.reduce((sum, ms) => sum + ms, 0) / perServer.length;
    const expectedMs = (servers.length / concurrency) * perServerMeanMs;
    const deviation = timing.wallMs / expectedMs - 1;
    const medianExpectedMs = Math.ceil(servers.length / concurrency) * medianOf(perServer);
    const bestMs = bestMakespan(perServer, concurrency);
    rows.push({
      concurrency,
      wallMs: timing.wallMs,
      perServerMeanMs,
      expectedMs,
      deviation,
      medianExpectedMs,
      bestMs,
    });
    log(
      `  wave of ${servers.length} at concurrency ${concurrency}: wall ${seconds(timing.wallMs)}, per server ${seconds(perServerMeanMs)} (mean; ${perServer.map((ms) => (ms / 1000).toFixed(1)).join(', ')}), expected ${seconds(expectedMs)}, ${signed(deviation)}; with the median ${seconds(medianExpectedMs)}, ${signed(timing.wallMs / medianExpectedMs - 1)}; best packing of these durations ${seconds(bestMs)} (${signed(bestMs / expectedMs - 1)})`,
    );
    await Promise.all(servers.map((server) => restoreServer(fleet, server)));
  }
  const worst = Math.max(...rows.map((row) => Math.abs(row.deviation)));
  return {
    noticeLagMs,
    rssKib,
    target: {
      id: '4',
      target: 'wave wall time within 10% of servers/concurrency x mean per-server time',
      measured: rows
        .map(
          (row) =>
            `c=${row.concurrency}: ${seconds(row.wallMs)} vs ${seconds(row.expectedMs)} (${signed(row.deviation)}; best packing ${seconds(row.bestMs)})`,
        )
        .join('; '),
      verdict: worst <= WAVE_TOLERANCE ? 'pass' : 'fail',
      data: { servers: serverNames, rows },
    },
  };
}

function signed(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}
