/**
 * `npm run bench`: measures dbwave against its targets and prints pass/fail for each, a table at
 * the end, a JSON file under bench-results/, and the figures table of docs/bench.md.
 *
 *   1. planning grows linearly: 100,000 servers plan in a few seconds, and
 *      1b. `dbwave plan`, `check` and `show`, whole processes, take < 3 s and 400 MB at 100,000
 *      servers and < 0.5 s at 1,000
 *   2. a 503 window is at most 1 s longer than the plain script's stop + switch + start + post-upgrade
 *   3. under write load, pre-flush at least halves the window
 *   4. a wave's wall time is within 10% of ceil(servers / concurrency) x per-server time, and
 *      4b. a clean shutdown's end is noticed within 0.5 s
 *   5. memory stays flat over a wave (in-process with fakes, and dbwave's RSS on the fleet)
 *   6. one MySQL state store sustains many runners, and a 10,000-server wave's journal (store-bench.ts)
 *
 * The fleet is shared by every engineer: the whole run holds `flock /tmp/dbwave-fleet.lock`
 * (main.ts takes it itself by running again under flock), uses the fleet that is up when it is
 * healthy or brings up 6 servers, and leaves it as it found it.
 *
 * Options: `--only plan,memory,window,waves,preflush,store`, `--store-servers N` (the simulated
 * wave of part 6, default 10,000), `--trials N` (window trials per server and
 * condition, default 3; pre-flush trials per side, default 2; runs of each command and size for
 * 1b, default 3) and `--load idle,loaded` (the window's conditions: idle fleet and/or under
 * `npm run fleet -- load`; default both). DBWAVE_BENCH_BASELINE_CLI=<another build's
 * dist/cli/main.js> measures that build beside this one in 1b (cli-plan-bench.ts).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../fleet/fleet-paths.js';
import { FLEET_NET } from '../fleet/host-plan.js';
import { writeFiguresIntoDocs } from './bench-figures.js';
import { acquireFleet, type FleetState, releaseFleet, restoreServer } from './bench-fleet.js';
import { medianOf, printTable, seconds, type TargetResult, writeResults } from './bench-report.js';
import { type CliBenchResult, describeCliResult, runCliPlanBench } from './cli-plan-bench.js';
import { concurrencyBench } from './concurrency-bench.js';
import { dropDirtyPageLoad } from './dirty-page-load.js';
import { type HeapSeries, runMemoryBench } from './memory-bench.js';
import { runPlanBench } from './plan-bench.js';
import { preflushBench } from './preflush-bench.js';
import { storeBench, WAVE_SERVERS as WAVE_SERVERS_SIMULATED } from './store-bench.js';
import { WINDOW_CONDITIONS, type WindowCondition, windowOverheadBench } from './window-overhead-bench.js';

/** One lock per fleet net (docs/fleet.md), so benches on different nets do not wait on each other. */
const FLEET_LOCK = FLEET_NET === '127.0.1' ? '/tmp/dbwave-fleet.lock' : `/tmp/dbwave-fleet-${FLEET_NET}.lock`;
const LOCK_HELD = 'DBWAVE_BENCH_FLEET_LOCK_HELD';
const PARTS = ['plan', 'memory', 'window', 'waves', 'preflush', 'store'] as const;
type Part = (typeof PARTS)[number];

const PLAN_LIMIT_MS = 5_000;
const CLI_LIMIT_LARGE_MS = 3_000;
const CLI_LIMIT_LARGE_MIB = 400;
const CLI_LIMIT_SMALL_MS = 500;
const NOTICE_LIMIT_MS = 500;
const WINDOW_SERVERS = ['db3', 'db4'];
const WAVE_SERVERS = ['db1', 'db2', 'db3', 'db4', 'db5', 'db6'];
const PREFLUSH_SERVER = 'db6';

const log = (line: string): void => console.log(line);

interface BenchOptions {
  readonly parts: readonly Part[];
  readonly trials: number;
  readonly conditions: readonly WindowCondition[];
  readonly storeServers: number;
}

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      trials: { type: 'string' },
      load: { type: 'string' },
      'store-servers': { type: 'string' },
    },
    allowPositionals: false,
  });
  const parts = values.only === undefined ? PARTS : (values.only.split(',') as Part[]);
  for (const part of parts) if (!PARTS.includes(part)) throw new Error(`--only: unknown part ${part}`);
  const trials = values.trials === undefined ? 3 : Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1) throw new Error('--trials must be a whole number from 1');
  const conditions =
    values.load === undefined ? WINDOW_CONDITIONS : (values.load.split(',') as WindowCondition[]);
  for (const condition of conditions)
    if (!WINDOW_CONDITIONS.includes(condition))
      throw new Error(`--load: unknown condition ${condition} (idle or loaded)`);
  const storeServers =
    values['store-servers'] === undefined ? WAVE_SERVERS_SIMULATED : Number(values['store-servers']);
  if (!Number.isInteger(storeServers) || storeServers < 1)
    throw new Error('--store-servers must be a whole number from 1');
  return { parts, trials, conditions, storeServers };
}

function planTarget(): TargetResult {
  log('1. planner');
  const results = runPlanBench(undefined, (line) => log(`  ${line}`));
  const small = results.find((result) => result.servers === 10_000);
  const large = results.find((result) => result.servers === 100_000);
  if (!small || !large) throw new Error('plan bench: missing sizes');
  const growth = large.milliseconds / small.milliseconds;
  return {
    id: '1',
    target: `100,000 servers plan in a few seconds (< ${PLAN_LIMIT_MS / 1000} s), time grows ~linearly`,
    measured: `10,000: ${seconds(small.milliseconds)}; 100,000: ${seconds(large.milliseconds)} (x10 servers -> x${growth.toFixed(1)} time), ${large.heapMiB.toFixed(0)} MiB heap`,
    verdict: large.milliseconds <= PLAN_LIMIT_MS && growth <= 15 ? 'pass' : 'fail',
    data: results,
  };
}

async function cliPlanTarget(trials: number): Promise<TargetResult> {
  log('1b. plan, check and show as whole processes (the built CLI)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const results = await runCliPlanBench(trials, undefined, (line) => log(`  ${line}`));
  const at = (servers: number): CliBenchResult[] =>
    results.filter((result) => result.servers === servers && result.build === 'current');
  const before = results.filter((result) => result.build === 'baseline' && result.servers === 100_000);
  const large = at(100_000);
  const small = at(1_000);
  const pass =
    large.every((result) => result.wallMs < CLI_LIMIT_LARGE_MS && result.maxRssMiB < CLI_LIMIT_LARGE_MIB) &&
    small.every((result) => result.wallMs < CLI_LIMIT_SMALL_MS);
  const loads = results.flatMap((result) => result.loadAverages);
  return {
    id: '1b',
    target: `plan, check, show (whole process, built CLI): < ${CLI_LIMIT_LARGE_MS / 1000} s and ${CLI_LIMIT_LARGE_MIB} MB at 100,000 servers, < ${CLI_LIMIT_SMALL_MS / 1000} s at 1,000`,
    measured: `medians of ${trials}, wall s / peak RSS MiB (start, parse, validate, plan, output in s): ${[
      ...large,
      ...small,
      ...before,
    ]
      .map(describeCliResult)
      .join('; ')}; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
    verdict: pass ? 'pass' : 'fail',
    data: results,
  };
}

function describeHeap(series: HeapSeries): string {
  return `${series.label}: heap ${series.startMiB.toFixed(1)} -> ${series.endMiB.toFixed(1)} MiB (max ${series.maxMiB.toFixed(1)}), slope ${series.slopeKiB.toFixed(0)} KiB per ${series.perUnits} ${series.unit}, over ${series.outputMiB.toFixed(0)} MiB of output and ${series.fakeHours.toFixed(1)} h of fake time`;
}

async function memoryTarget(rssRuns: readonly (readonly number[])[]): Promise<TargetResult> {
  log('5. memory (in-process, fakes)');
  const memory = await runMemoryBench();
  log(`  ${describeHeap(memory.wave)}`);
  log(`  ${describeHeap(memory.longShutdown)}`);
  const waveFlat = memory.wave.endMiB - memory.wave.startMiB < 2 && memory.wave.slopeKiB < 100;
  const timeFlat = memory.longShutdown.endMiB - memory.longShutdown.startMiB < 1;
  const rss = rssRuns.filter((samples) => samples.length > 4);
  const rssText = rss.map(
    (samples) =>
      `${Math.round((samples[0] ?? 0) / 1024)} -> ${Math.round((samples.at(-1) ?? 0) / 1024)} MiB (max ${Math.round(Math.max(...samples) / 1024)})`,
  );
  if (rssText.length > 0) log(`  dbwave run RSS per fleet wave: ${rssText.join('; ')}`);
  return {
    id: '5',
    target: 'memory flat over a wave: nothing grows with output or time',
    measured: `fakes, 1000 servers, ${memory.wave.outputMiB.toFixed(0)} MiB output: heap ${memory.wave.startMiB.toFixed(1)} -> ${memory.wave.endMiB.toFixed(1)} MiB (max ${memory.wave.maxMiB.toFixed(1)}), ${memory.wave.slopeKiB.toFixed(0)} KiB/1000 servers; one ${memory.longShutdown.fakeHours.toFixed(1)} h shutdown: ${memory.longShutdown.startMiB.toFixed(1)} -> ${memory.longShutdown.endMiB.toFixed(1)} MiB, ${memory.longShutdown.slopeKiB.toFixed(0)} KiB/1000 polls${rssText.length > 0 ? `; real dbwave RSS per 6-server wave (c=1,2,3): ${rssText.join('; ')}` : ''}`,
    verdict: waveFlat && timeFlat ? 'pass' : 'fail',
    data: { memory, rssKib: rssRuns },
  };
}

function noticeTarget(lags: readonly number[]): TargetResult {
  const worst = Math.max(...lags);
  return {
    id: '4b',
    target: "clean shutdown's end noticed within 0.5 s (journal vs real exit)",
    measured:
      lags.length === 0
        ? 'no sample'
        : `${lags.length} shutdowns: median ${seconds(medianOf(lags))}, max ${seconds(worst)} after the process exited (20 ms watcher)`,
    verdict: lags.length === 0 ? 'skipped' : worst <= NOTICE_LIMIT_MS ? 'pass' : 'fail',
    data: { lagMs: lags },
  };
}

function errorText(error: unknown): string {
  const failure = error as { stderr?: unknown; message?: unknown };
  const stderr = typeof failure.stderr === 'string' ? failure.stderr.trim().split('\n').at(-1) : undefined;
  return stderr || (error instanceof Error ? error.message : String(error));
}

function skipped(id: string, target: string, error: unknown): TargetResult {
  const message = errorText(error);
  log(`  ${id}: could not measure: ${message}`);
  return {
    id,
    target,
    measured: `not measured: ${message.split('\n')[0]}`,
    verdict: 'skipped',
    data: { error: message },
  };
}

async function fleetTargets(options: BenchOptions, results: TargetResult[]): Promise<number[][]> {
  const { parts, trials } = options;
  const rssRuns: number[][] = [];
  const lags: number[] = [];
  let state: FleetState | undefined;
  try {
    try {
      state = await acquireFleet(log);
    } catch (error) {
      const fleetParts: [Part, string, string][] = [
        ['window', '2', '503 window <= bare + 1 s'],
        ['waves', '4', 'wave wall time within 10%'],
        ['preflush', '3', 'pre-flush halves the window'],
      ];
      for (const [part, id, target] of fleetParts) {
        if (parts.includes(part))
          results.push(skipped(id, target, new Error(`no fleet: ${errorText(error)}`)));
      }
      return rssRuns;
    }
    if (parts.includes('window')) {
      log('2. 503 window vs the plain script');
      try {
        const window = await windowOverheadBench(state, WINDOW_SERVERS, trials, log, options.conditions);
        results.push(window.target);
        lags.push(...window.noticeLagMs);
      } catch (error) {
        results.push(skipped('2', '503 window <= bare + 1 s', error));
      }
    }
    if (parts.includes('waves')) {
      log('4. wave wall time vs concurrency');
      try {
        const waves = await concurrencyBench(state, WAVE_SERVERS, [1, 2, 3], log);
        results.push(waves.target);
        lags.push(...waves.noticeLagMs);
        rssRuns.push(...waves.rssKib.map((samples) => [...samples]));
      } catch (error) {
        results.push(skipped('4', 'wave wall time within 10%', error));
      }
    }
    if (parts.includes('window') || parts.includes('waves')) results.push(noticeTarget(lags));
    if (parts.includes('preflush')) {
      log('3. pre-flush on and off under write load');
      try {
        results.push(await preflushBench(state, PREFLUSH_SERVER, Math.max(1, Math.min(trials, 2)), log));
      } catch (error) {
        results.push(skipped('3', 'pre-flush halves the window', error));
      }
    }
  } finally {
    if (state) {
      const preflushServer = state.manifest.servers.find((server) => server.name === PREFLUSH_SERVER);
      if (preflushServer && parts.includes('preflush')) {
        await restoreServer(state.manifest, preflushServer).catch(() => undefined);
        await dropDirtyPageLoad(state.manifest, preflushServer).catch(() => undefined);
      }
      await releaseFleet(state, log);
    }
  }
  return rssRuns;
}

async function main(): Promise<void> {
  const chosen = options();
  const { parts, trials } = chosen;
  const needsFleet = parts.some((part) => part === 'window' || part === 'waves' || part === 'preflush');
  if (needsFleet && process.env[LOCK_HELD] !== '1') {
    log(`bench: waiting for the fleet lock (${FLEET_LOCK})...`);
    const child = spawnSync(
      'flock',
      [FLEET_LOCK, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
        env: { ...process.env, [LOCK_HELD]: '1' },
      },
    );
    process.exit(child.status ?? 1);
  }
  const started = Date.now();
  const results: TargetResult[] = [];
  if (parts.includes('plan')) {
    results.push(planTarget());
    results.push(
      await cliPlanTarget(trials).catch((error: unknown) =>
        skipped('1b', 'plan, check, show as processes', error),
      ),
    );
  }
  const rssRuns = needsFleet ? await fleetTargets(chosen, results) : [];
  if (parts.includes('store')) {
    log('6. the MySQL state store');
    results.push(
      await storeBench(log, chosen.storeServers).catch((error: unknown) =>
        skipped('6', 'MySQL state store: runners and a 10,000-server wave', error),
      ),
    );
  }
  if (parts.includes('memory')) {
    results.push(
      await memoryTarget(rssRuns).catch((error: unknown) => skipped('5', 'memory flat over a wave', error)),
    );
  }
  results.sort((a, b) => a.id.localeCompare(b.id));
  printTable(results, log);
  const file = await writeResults(results, {
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    parts,
    trials,
    load: chosen.conditions,
  });
  const docs = await writeFiguresIntoDocs(results, new Date(started));
  log(`bench: ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${file}; figures in ${docs}`);
  if (results.some((result) => result.verdict === 'fail')) process.exitCode = 1;
}

await main();
