import { FleetPaths } from '../fleet/fleet-paths.js';
import type { FleetServer } from '../fleet/manifest.js';
import { planVariant } from './bench-campaign.js';
import {
  backgroundFleetLoad,
  type FleetState,
  globalStatus,
  mariadbdPidOf,
  restoreServer,
} from './bench-fleet.js';
import { medianOf, seconds, type TargetResult } from './bench-report.js';
import { readJournal } from './dbwave-process.js';
import { BUFFER_POOL_BYTES, prepareDirtyPageLoad, startDirtyPageLoad } from './dirty-page-load.js';
import { newStateDir, runProblem, watchedRun } from './watched-run.js';
import { throttleWrites, type WriteThrottle } from './write-throttle.js';

/**
 * Target 3: under write load, the 503 window with pre-flush is at most half of what it is
 * without. `npm run fleet -- load` runs in the background for the whole phase (users and
 * sysbench everywhere), and the server under test also gets a steady random-update load on an
 * enlarged buffer pool, so that tens of thousands of pages are dirty, with its writes throttled
 * so that flushing them costs what it does in production (see WRITE_BYTES_PER_SECOND). The heavy load stops when the
 * window opens, as users' writes do; Innodb_buffer_pool_pages_dirty is sampled throughout and
 * its last value before the window opened is reported.
 */

const WARM_UP_MS = 40_000;
/**
 * The server under test's disk, for its mariadbd: 40 MiB/s of writes (some 1,300 pages/s with
 * the doublewrite buffer). Unthrottled, the VM's disk flushes 45,000 dirty pages (700 MiB) in
 * 3-5 s, less than stop, switch, start and post-upgrade take under the fleet load; in production
 * the pool is a hundred times larger and the shutdown's flush is most of the window.
 */
const WRITE_BYTES_PER_SECOND = 40 * 2 ** 20;
/** The users' write rate on that server: below what the throttled disk flushes, as it must be. */
const ROWS_PER_SECOND = 600;
/**
 * The pre-flush's io capacity for the VM's disk: at pct 0 InnoDB 10.11 flushed about 800 pages/s
 * here at io_capacity 2000 (the campaign default, less than the load dirties) and about 5,000 at
 * 20000. A DBA sets it per hardware class the same way.
 */
const PREFLUSH_IO_CAPACITY = 20_000;
const SAMPLE_MS = 250;

interface PreflushTrial {
  readonly preflush: boolean;
  /** Why the server's writes were not throttled, when they were not. */
  readonly throttleUnavailable?: string;
  readonly windowMs: number;
  readonly shutdownMs: number;
  /** Each window step's time, ms: where the window went. */
  readonly steps: Readonly<Record<string, number>>;
  /** Dirty pages at the last sample before the window opened (the stop follows at once). */
  readonly dirtyAtWindowOpen: number | undefined;
  /** Dirty pages when the heavy load had warmed up, before dbwave began. */
  readonly dirtyBeforeRun: number | undefined;
  readonly preflushMs?: number;
  /** Why the pre-flush stopped waiting: target, settled or timeout. */
  readonly preflushEndedBy?: string;
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
  const { throttle, unavailable } = await throttleServerWrites(state, server);
  const load = await startDirtyPageLoad(fleet, server, ROWS_PER_SECOND);
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
  const watched = await watchedRun(state, planFile, [server], stateDir).finally(async () => {
    await throttle?.release();
  });
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
    ...(unavailable === undefined ? {} : { throttleUnavailable: unavailable }),
    windowMs: timing?.windowMs ?? Number.NaN,
    shutdownMs: timing?.steps.shutdown ?? Number.NaN,
    steps: timing?.steps ?? {},
    dirtyAtWindowOpen,
    dirtyBeforeRun,
    ...(timing?.preflush
      ? {
          preflushMs: timing.preflush.ms,
          ...(timing.preflush.endedBy === undefined ? {} : { preflushEndedBy: timing.preflush.endedBy }),
        }
      : {}),
  };
}

/**
 * Caps the server's mariadbd writes (the process that will be stopped inside the window; the
 * upgraded one starts unthrottled) so that flushing weighs in the window as it does in
 * production. Where the machine cannot, says why, and the figures say so.
 */
async function throttleServerWrites(
  state: FleetState,
  server: FleetServer,
): Promise<{ throttle?: WriteThrottle; unavailable?: string }> {
  const paths = new FleetPaths(state.manifest.root);
  const pid = mariadbdPidOf(paths, server);
  if (pid === undefined) throw new Error(`pre-flush bench: ${server.name} has no mariadbd pid`);
  try {
    const dataDir = paths.host(server.name).dataDir;
    return { throttle: await throttleWrites(pid, dataDir, WRITE_BYTES_PER_SECOND, server.name) };
  } catch (error) {
    return { unavailable: `writes not throttled (${String(error)})` };
  }
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
      preflushIoCapacity: PREFLUSH_IO_CAPACITY,
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
          `  pre-flush ${side ? 'on ' : 'off'} ${server.name}: window ${seconds(result.windowMs)} (shutdown ${seconds(result.shutdownMs)}), dirty pages ${result.dirtyBeforeRun ?? '?'} after warm-up, ${result.dirtyAtWindowOpen ?? '?'} when the window opened${side ? `, pre-flush ${seconds(result.preflushMs ?? Number.NaN)}${result.preflushEndedBy === undefined ? '' : ` (${result.preflushEndedBy})`}` : ''}`,
        );
        log(
          `    window steps: ${Object.entries(result.steps)
            .map(([step, ms]) => `${step} ${seconds(ms)}`)
            .join(', ')}`,
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
    measured: `${server.name}, ${trialsPerSide} trials a side, fleet load + ${ROWS_PER_SECOND} row updates/s on a ${BUFFER_POOL_BYTES / 2 ** 20} MiB pool, ${trials.find((entry) => entry.throttleUnavailable)?.throttleUnavailable ?? `writes throttled to ${WRITE_BYTES_PER_SECOND / 2 ** 20} MiB/s`}, pre-flush io capacity ${PREFLUSH_IO_CAPACITY}: window off ${seconds(offMedian)} (shutdown ${seconds(medianOf(off.map((entry) => entry.shutdownMs)))}, ${Math.round(dirtyOff)} dirty pages at stop) vs on ${seconds(onMedian)} (shutdown ${seconds(medianOf(on.map((entry) => entry.shutdownMs)))}, ${Math.round(dirtyOn)} dirty) = ${(ratio * 100).toFixed(0)}%`,
    verdict: ratio <= 0.5 ? 'pass' : 'fail',
    data: { trials, offMedianMs: offMedian, onMedianMs: onMedian, ratio },
  };
}
