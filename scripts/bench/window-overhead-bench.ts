import { loadavg } from 'node:os';
import type { FleetServer } from '../fleet/manifest.js';
import { bareUpgrade } from './bare-upgrade.js';
import { planVariant } from './bench-campaign.js';
import { backgroundFleetLoad, type FleetState, restoreServer } from './bench-fleet.js';
import { medianOf, seconds, type TargetResult } from './bench-report.js';
import { WINDOW_STEPS } from './journal-timings.js';
import { shardUrls, type UsersSideWindow, watchUsersSide } from './users-side-window.js';
import { runProblem, watchedRun } from './watched-run.js';

/**
 * Target 2: a server's 503 window under dbwave against the plain script's (bare-upgrade.ts: one
 * SSH exec of stop + switch + start + post-upgrade) on the same server, trial after trial on the
 * same servers, each put back on the older build in between. Both windows are measured the same
 * way, from the users' side (users-side-window.ts: the shard polled through every HAProxy); the
 * journal's window (window-open `started` -> window-close `succeeded`) and its steps say where
 * dbwave's time goes. Measured idle and under the fleet's load (`npm run fleet -- load`), side
 * by side in one run.
 */

export const WINDOW_OVERHEAD_LIMIT_MS = 1_000;

export interface WindowBenchResult {
  readonly target: TargetResult;
  /** Every dbwave trial's notice lag (journal shutdown succeeded - real exit), for target 4b. */
  readonly noticeLagMs: readonly number[];
}

/** Whether the fleet's users and sysbench (`npm run fleet -- load`) run during the trials. */
export type WindowCondition = 'idle' | 'loaded';
export const WINDOW_CONDITIONS: readonly WindowCondition[] = ['idle', 'loaded'];

/** Seconds of fleet load one trial needs at most (a dbwave run, a bare run, three restores). */
const LOADED_TRIAL_S = 90;

interface ConditionFigures {
  readonly condition: WindowCondition;
  /** The users' side: first 503 -> served again, per trial. */
  readonly dbwaveMs: readonly number[];
  readonly bareMs: readonly number[];
  /** dbwave's journal: window-open `started` -> window-close `succeeded`, per trial. */
  readonly dbwaveJournalMs: readonly number[];
  /** The plain script's maint -> ready as the bench set them, per trial. */
  readonly bareScriptMs: readonly number[];
  readonly noticeLagMs: readonly number[];
  readonly perServer: Readonly<Record<string, { dbwave: number[]; bare: number[] }>>;
  readonly stepMedians: Readonly<Record<string, number>>;
  readonly overheadMs: number;
  /** The 1-minute load average at the first and the last trial. */
  readonly loadAverage: readonly [number, number];
}

/**
 * Runs the trials once on an idle fleet and once under `npm run fleet -- load` (both by default),
 * in one bench run, so the two sides of each condition are measured in the same minutes.
 */
export async function windowOverheadBench(
  state: FleetState,
  serverNames: readonly string[],
  trials: number,
  log: (line: string) => void,
  conditions: readonly WindowCondition[] = WINDOW_CONDITIONS,
): Promise<WindowBenchResult> {
  const figures: ConditionFigures[] = [];
  for (const condition of conditions) {
    log(`  ${condition} fleet:`);
    const stopLoad =
      condition === 'loaded'
        ? backgroundFleetLoad(serverNames.length * trials * LOADED_TRIAL_S + 60)
        : undefined;
    try {
      // The load's users and sysbench take a few seconds to ramp up.
      if (stopLoad) await new Promise((resolve) => setTimeout(resolve, 8_000));
      figures.push(await conditionTrials(state, serverNames, trials, condition, log));
    } finally {
      await stopLoad?.();
    }
  }
  const describe = (entry: ConditionFigures): string =>
    `${entry.condition} (load average ${entry.loadAverage[0].toFixed(1)}-${entry.loadAverage[1].toFixed(1)}): users' side, dbwave median **${seconds(medianOf(entry.dbwaveMs))}** vs plain script **${seconds(medianOf(entry.bareMs))}**: overhead **${seconds(entry.overheadMs)}** (journal window ${seconds(medianOf(entry.dbwaveJournalMs))}, script's maint->ready ${seconds(medianOf(entry.bareScriptMs))}; steps, median s: ${breakdownOf(entry.stepMedians)})`;
  return {
    noticeLagMs: figures.flatMap((entry) => entry.noticeLagMs),
    target: {
      id: '2',
      target: '503 window <= plain script + 1 s, idle and under fleet load (same servers)',
      measured: `${serverNames.join(', ')} x ${trials} trials each: ${figures.map(describe).join('; ')}`,
      verdict: figures.every((entry) => entry.overheadMs <= WINDOW_OVERHEAD_LIMIT_MS) ? 'pass' : 'fail',
      data: Object.fromEntries(figures.map((entry) => [entry.condition, entry])),
    },
  };
}

function breakdownOf(stepMedians: Readonly<Record<string, number>>): string {
  return Object.entries(stepMedians)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(2)}`)
    .join(', ');
}

async function conditionTrials(
  state: FleetState,
  serverNames: readonly string[],
  trials: number,
  condition: WindowCondition,
  log: (line: string) => void,
): Promise<ConditionFigures> {
  const fleet = state.manifest;
  const servers = serverNames.map(
    (name) => fleet.servers.find((server) => server.name === name) as FleetServer,
  );
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const dbwaveMs: number[] = [];
  const bareMs: number[] = [];
  const dbwaveJournalMs: number[] = [];
  const bareScriptMs: number[] = [];
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
      const dbwaveUsers = watchUsersSide(shardUrls(fleet, server));
      const watched = await watchedRun(state, planned.planFile, [server]);
      const dbwaveSeen = usersWindow(await dbwaveUsers.stop(), `dbwave on ${server.name}`);
      const problem = runProblem(watched, [server]);
      if (problem !== undefined)
        throw new Error(`window bench (${condition}), ${server.name} trial ${trial}:\n${problem}`);
      dbwaveMs.push(dbwaveSeen);
      perServer[server.name]?.dbwave.push(dbwaveSeen);
      const timing = watched.timings.get(server.name);
      if (timing) {
        dbwaveJournalMs.push(timing.windowMs);
        for (const [step, ms] of Object.entries(timing.steps)) {
          stepSamples.set(step, [...(stepSamples.get(step) ?? []), ms]);
        }
      }
      const lag = watched.noticeLagMs.get(server.name);
      if (lag !== undefined) noticeLagMs.push(lag);
      await restoreServer(fleet, server);
      const bareUsers = watchUsersSide(shardUrls(fleet, server));
      const bareRun = await bareUpgrade(fleet, server, 'upgrade');
      const bare = usersWindow(await bareUsers.stop(), `the plain script on ${server.name}`);
      bareMs.push(bare);
      bareScriptMs.push(bareRun.scriptWindowMs);
      perServer[server.name]?.bare.push(bare);
      await restoreServer(fleet, server);
      log(
        `  window ${condition} ${server.name} trial ${trial}: users' side dbwave ${seconds(dbwaveSeen)} (journal ${seconds(timing?.windowMs ?? Number.NaN)}), plain script ${seconds(bare)} (maint->ready ${seconds(bareRun.scriptWindowMs)}), load average ${(loadavg()[0] ?? 0).toFixed(1)}`,
      );
    }
  }
  const overheadMs = medianOf(dbwaveMs) - medianOf(bareMs);
  const stepMedians = Object.fromEntries(
    [...WINDOW_STEPS, 'between']
      .filter((step) => stepSamples.has(step))
      .map((step) => [step, medianOf(stepSamples.get(step) ?? [])]),
  );
  log(
    `  window ${condition} (users' side): dbwave median ${seconds(medianOf(dbwaveMs))}, plain script median ${seconds(medianOf(bareMs))}, overhead ${seconds(overheadMs)}`,
  );
  log(`  window ${condition} steps (median s): ${breakdownOf(stepMedians)}`);
  return {
    condition,
    dbwaveMs,
    bareMs,
    dbwaveJournalMs,
    bareScriptMs,
    noticeLagMs,
    perServer,
    stepMedians,
    overheadMs,
    loadAverage: [loadAtStart, loadavg()[0] ?? Number.NaN],
  };
}

/** The users' window of a trial; a trial in which users saw no 503 measured nothing. */
function usersWindow(seen: UsersSideWindow, what: string): number {
  if (seen.windowMs === undefined)
    throw new Error(`window bench: the users saw no 503 during ${what} (${seen.requests} requests)`);
  return seen.windowMs;
}
