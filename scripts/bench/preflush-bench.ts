import type { FleetServer } from '../fleet/manifest.js';
import { planVariant } from './bench-campaign.js';
import { backgroundFleetLoad, type FleetState, globalStatus, restoreServer } from './bench-fleet.js';
import { medianOf, seconds, type TargetResult } from './bench-report.js';
import { readJournal } from './dbwave-process.js';
import { prepareDirtyPageLoad, startDirtyPageLoad } from './dirty-page-load.js';
import { newStateDir, runProblem, watchedRun } from './watched-run.js';

/**
 * Target 3: under write load, the 503 window with pre-flush is at most half of what it is
 * without. `npm run fleet -- load` runs in the background for the whole phase (users and
 * sysbench everywhere), and the server under test also gets a heavy random-update load on an
 * enlarged buffer pool, so that thousands of pages are dirty. The heavy load stops when the
 * window opens, as users' writes do; Innodb_buffer_pool_pages_dirty is sampled throughout and
 * its last value before the window opened is reported.
 */

const WARM_UP_MS = 25_000;
const SAMPLE_MS = 250;

interface PreflushTrial {
  readonly preflush: boolean;
  readonly windowMs: number;
  readonly shutdownMs: number;
  /** Dirty pages at the last sample before the window opened (the stop follows at once). */
  readonly dirtyAtWindowOpen: number | undefined;
  /** Dirty pages when the heavy load had warmed up, before dbwave began. */
  readonly dirtyBeforeRun: number | undefined;
  readonly preflushMs?: number;
  readonly preflushReachedTarget?: boolean;
}

async function trial(
  state: FleetState,
  server: FleetServer,
  planFile: string,
  preflush: boolean,
): Promise<PreflushTrial> {
  const fleet = state.manifest;
  await restoreServer(fleet, server);
  await prepareDirtyPageLoad(fleet, server);
  const load = await startDirtyPageLoad(fleet, server);
  const samples: { at: number; dirty: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const dirty = await globalStatus(fleet, server, 'Innodb_buffer_pool_pages_dirty');
      if (dirty !== undefined) samples.push({ at: Date.now(), dirty });
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  const dirtyBeforeRun = samples.at(-1)?.dirty;

  const stateDir = await newStateDir();
  let windowOpened: number | undefined;
  let watching = true;
  // Users leave when the 503 window opens: so does the heavy load.
  const windowWatcher = (async () => {
    while (watching && windowOpened === undefined) {
      const opened = (await readJournal(stateDir)).find(
        (record) => record.kind === 'step' && record.step === 'window-open' && record.event === 'started',
      );
      if (opened) {
        windowOpened = Date.parse(opened.at);
        await load.stop();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const watched = await watchedRun(state, planFile, [server], stateDir);
  watching = false;
  sampling = false;
  await Promise.all([windowWatcher, sampler, load.stop()]);
  const problem = runProblem(watched, [server]);
  if (problem !== undefined) throw new Error(`pre-flush bench, ${server.name}:\n${problem}`);
  const timing = watched.timings.get(server.name);
  const opened = timing?.windowOpenedAt ?? windowOpened ?? Number.POSITIVE_INFINITY;
  const dirtyAtWindowOpen = samples.filter((sample) => sample.at <= opened).at(-1)?.dirty;
  await restoreServer(fleet, server);
  return {
    preflush,
    windowMs: timing?.windowMs ?? Number.NaN,
    shutdownMs: timing?.steps.shutdown ?? Number.NaN,
    dirtyAtWindowOpen,
    dirtyBeforeRun,
    ...(timing?.preflush
      ? {
          preflushMs: timing.preflush.ms,
          ...(timing.preflush.reachedTarget === undefined
            ? {}
            : { preflushReachedTarget: timing.preflush.reachedTarget }),
        }
      : {}),
  };
}

export async function preflushBench(
  state: FleetState,
  serverName: string,
  trialsPerSide: number,
  log: (line: string) => void,
): Promise<TargetResult> {
  const fleet = state.manifest;
  const server = fleet.servers.find((candidate) => candidate.name === serverName) as FleetServer;
  const plans = {
    on: await planVariant(fleet, {
      name: 'preflush-on',
      servers: [server.name],
      concurrency: 1,
      preflush: true,
      preflushTimeout: '60s',
    }),
    off: await planVariant(fleet, {
      name: 'preflush-off',
      servers: [server.name],
      concurrency: 1,
      preflush: false,
    }),
  };
  const stopFleetLoad = backgroundFleetLoad(Math.ceil((trialsPerSide * 2 * 75_000) / 1000) + 60);
  const trials: PreflushTrial[] = [];
  try {
    for (let index = 0; index < trialsPerSide; index += 1) {
      for (const side of [false, true]) {
        const result = await trial(state, server, side ? plans.on.planFile : plans.off.planFile, side);
        trials.push(result);
        log(
          `  pre-flush ${side ? 'on ' : 'off'} ${server.name}: window ${seconds(result.windowMs)} (shutdown ${seconds(result.shutdownMs)}), dirty pages ${result.dirtyBeforeRun ?? '?'} after warm-up, ${result.dirtyAtWindowOpen ?? '?'} when the window opened${side ? `, pre-flush ${seconds(result.preflushMs ?? Number.NaN)}${result.preflushReachedTarget === false ? ' (timed out)' : ''}` : ''}`,
        );
      }
    }
  } finally {
    await stopFleetLoad();
  }
  const off = trials.filter((entry) => !entry.preflush);
  const on = trials.filter((entry) => entry.preflush);
  const offMedian = medianOf(off.map((entry) => entry.windowMs));
  const onMedian = medianOf(on.map((entry) => entry.windowMs));
  const dirtyOff = medianOf(off.flatMap((entry) => entry.dirtyAtWindowOpen ?? []));
  const dirtyOn = medianOf(on.flatMap((entry) => entry.dirtyAtWindowOpen ?? []));
  const ratio = onMedian / offMedian;
  return {
    id: '3',
    target: 'under write load, window with pre-flush <= 1/2 of without',
    measured: `${server.name}, ${trialsPerSide} trials a side, fleet load + heavy updates on a 512 MiB pool: window off ${seconds(offMedian)} (shutdown ${seconds(medianOf(off.map((entry) => entry.shutdownMs)))}, ${Math.round(dirtyOff)} dirty pages at stop) vs on ${seconds(onMedian)} (shutdown ${seconds(medianOf(on.map((entry) => entry.shutdownMs)))}, ${Math.round(dirtyOn)} dirty) = ${(ratio * 100).toFixed(0)}%`,
    verdict: ratio <= 0.5 ? 'pass' : 'fail',
    data: { trials, offMedianMs: offMedian, onMedianMs: onMedian, ratio },
  };
}
