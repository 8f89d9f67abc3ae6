import type { FleetServer } from '../fleet/manifest.js';
import { bareUpgrade } from './bare-upgrade.js';
import { planVariant } from './bench-campaign.js';
import { type FleetState, restoreServer } from './bench-fleet.js';
import { medianOf, seconds, type TargetResult } from './bench-report.js';
import { WINDOW_STEPS } from './journal-timings.js';
import { runProblem, watchedRun } from './watched-run.js';

/**
 * Target 2: a server's 503 window under dbwave (journal: window-open `started` -> window-close
 * `succeeded`) against the plain script's stop + switch + start + post-upgrade of the same
 * server, trial after trial on the same servers, each put back on the older build in between.
 * When dbwave costs more than a second, the steps inside its window say where.
 */

export const WINDOW_OVERHEAD_LIMIT_MS = 1_000;

export interface WindowBenchResult {
  readonly target: TargetResult;
  /** Every dbwave trial's notice lag (journal shutdown succeeded - real exit), for target 4b. */
  readonly noticeLagMs: readonly number[];
}

export async function windowOverheadBench(
  state: FleetState,
  serverNames: readonly string[],
  trials: number,
  log: (line: string) => void,
): Promise<WindowBenchResult> {
  const fleet = state.manifest;
  const servers = serverNames.map(
    (name) => fleet.servers.find((server) => server.name === name) as FleetServer,
  );
  const dbwaveMs: number[] = [];
  const bareMs: number[] = [];
  const noticeLagMs: number[] = [];
  const stepSamples = new Map<string, number[]>();
  const perServer: Record<string, { dbwave: number[]; bare: number[] }> = {};
  for (const server of servers) {
    perServer[server.name] = { dbwave: [], bare: [] };
    const planned = await planVariant(fleet, {
      name: `window-${server.name}`,
      servers: [server.name],
      concurrency: 1,
      preflush: true,
    });
    for (let trial = 1; trial <= trials; trial += 1) {
      await restoreServer(fleet, server);
      const watched = await watchedRun(state, planned.planFile, [server]);
      const problem = runProblem(watched, [server]);
      if (problem !== undefined) throw new Error(`window bench, ${server.name} trial ${trial}:\n${problem}`);
      const timing = watched.timings.get(server.name);
      if (timing) {
        dbwaveMs.push(timing.windowMs);
        perServer[server.name]?.dbwave.push(timing.windowMs);
        for (const [step, ms] of Object.entries(timing.steps)) {
          stepSamples.set(step, [...(stepSamples.get(step) ?? []), ms]);
        }
      }
      const lag = watched.noticeLagMs.get(server.name);
      if (lag !== undefined) noticeLagMs.push(lag);
      await restoreServer(fleet, server);
      const bare = await bareUpgrade(fleet, server, 'upgrade');
      bareMs.push(bare);
      perServer[server.name]?.bare.push(bare);
      await restoreServer(fleet, server);
      log(
        `  window ${server.name} trial ${trial}: dbwave ${seconds(timing?.windowMs ?? Number.NaN)}, bare script ${seconds(bare)}`,
      );
    }
  }
  const dbwaveMedian = medianOf(dbwaveMs);
  const bareMedian = medianOf(bareMs);
  const overhead = dbwaveMedian - bareMedian;
  const stepMedians = Object.fromEntries(
    [...WINDOW_STEPS, 'between']
      .filter((step) => stepSamples.has(step))
      .map((step) => [step, medianOf(stepSamples.get(step) ?? [])]),
  );
  const breakdown = Object.entries(stepMedians)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(2)}`)
    .join(', ');
  log(
    `  window: dbwave median ${seconds(dbwaveMedian)}, bare median ${seconds(bareMedian)}, overhead ${seconds(overhead)}`,
  );
  log(`  window steps (median s): ${breakdown}`);
  return {
    noticeLagMs,
    target: {
      id: '2',
      target: '503 window <= bare stop+switch+start+post-upgrade + 1 s (same servers)',
      measured: `${servers.map((server) => server.name).join(', ')} x ${trials} trials: dbwave median ${seconds(dbwaveMedian)}, bare median ${seconds(bareMedian)}, overhead ${seconds(overhead)}. dbwave window steps (median s): ${breakdown}`,
      verdict: overhead <= WINDOW_OVERHEAD_LIMIT_MS ? 'pass' : 'fail',
      data: { dbwaveMs, bareMs, perServer, stepMedians, overheadMs: overhead },
    },
  };
}
