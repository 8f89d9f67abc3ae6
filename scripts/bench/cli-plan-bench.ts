/**
 * Whole-process planning benchmark: `dbwave plan`, `check` and `show` as a DBA runs them (the
 * built CLI, `node dist/cli/main.js`, after `npm run build`) on fleets of 1,000, 10,000 and
 * 100,000 servers written to disk as class files and a campaign (fleet-files.ts). Each run is
 * its own process: its wall time is measured from here (spawn to exit, node's start included),
 * its peak resident memory and the split of its time between YAML parsing, validation, planning
 * and output by phase-report.mjs, loaded into it with `node --import`.
 *
 * Run alone: `npx tsx scripts/bench/cli-plan-bench.ts [trials]` (it builds first);
 * scripts/bench/main.ts calls {@link runCliPlanBench} for `--only plan`.
 *
 * Before/after on a busy machine: set DBWAVE_BENCH_BASELINE_CLI to another build's main.js (say
 * an older commit's `tsc -p tsconfig.build.json` output under tmp/) and every trial runs both, one
 * right after the other, so that both sides see the same minutes' load.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../fleet/fleet-paths.js';
import { medianOf } from './bench-report.js';
import { writeFleetFiles } from './fleet-files.js';

export const CLI_BENCH_SIZES = [1_000, 10_000, 100_000] as const;
export const CLI_COMMANDS = ['plan', 'check', 'show'] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** Optional: another build to measure beside this one, trial by trial. */
const BASELINE_CLI = process.env.DBWAVE_BENCH_BASELINE_CLI;
const PHASE_REPORT = join(REPO_ROOT, 'scripts', 'bench', 'phase-report.mjs');
const PHASES = ['parse', 'validate', 'plan', 'output'] as const;

/** One process: what phase-report.mjs wrote, and the wall time seen from outside. */
interface ProcessRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKib: number;
  /** Module loading and argument parsing: the process's life before its first phase. */
  readonly startupMs: number;
  readonly phasesMs: Readonly<Record<string, number>>;
  readonly loadAverage: number;
}

/** The medians of one command at one size over its trials. */
export interface CliBenchResult {
  /** `current` (dist/) or `baseline` (DBWAVE_BENCH_BASELINE_CLI). */
  readonly build: 'current' | 'baseline';
  readonly servers: number;
  readonly command: CliCommand;
  readonly trials: number;
  readonly wallMs: number;
  /** User + system CPU time: what the work cost, whatever the machine's load. */
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  readonly startupMs: number;
  /** Median per phase: parse, validate, plan, output. */
  readonly phasesMs: Readonly<Record<string, number>>;
  /** Load average (1 min) at each trial's start. */
  readonly loadAverages: readonly number[];
}

function argumentsOf(command: CliCommand, campaignFile: string, planFile: string): string[] {
  return command === 'plan' ? ['plan', campaignFile, '--out', planFile] : [command, planFile];
}

function runOnce(cli: string, dir: string, args: readonly string[]): ProcessRun {
  const reportFile = join(dir, 'phases.json');
  rmSync(reportFile, { force: true });
  // stdout to a file: what show prints is part of its work, and a pipe to nobody would block.
  const stdout = openSync(join(dir, 'stdout.txt'), 'w');
  const loadAverage = loadavg()[0] ?? 0;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', pathToFileURL(PHASE_REPORT).href, cli, ...args], {
    cwd: dir,
    stdio: ['ignore', stdout, 'pipe'],
    env: { ...process.env, DBWAVE_PHASE_REPORT: reportFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  closeSync(stdout);
  if (child.status !== 0) {
    throw new Error(`dbwave ${args.join(' ')} exited ${child.status}: ${child.stderr.toString().trim()}`);
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    maxRssKib: number;
    cpuMs: number;
    beforeFirstPhaseMs?: number;
    phasesMs: Record<string, number>;
  };
  return {
    wallMs,
    cpuMs: report.cpuMs,
    maxRssKib: report.maxRssKib,
    startupMs: report.beforeFirstPhaseMs ?? Number.NaN,
    phasesMs: report.phasesMs,
    loadAverage,
  };
}

function summary(
  build: CliBenchResult['build'],
  servers: number,
  command: CliCommand,
  runs: readonly ProcessRun[],
): CliBenchResult {
  return {
    build,
    servers,
    command,
    trials: runs.length,
    wallMs: medianOf(runs.map((run) => run.wallMs)),
    cpuMs: medianOf(runs.map((run) => run.cpuMs)),
    maxRssMiB: medianOf(runs.map((run) => run.maxRssKib)) / 1024,
    startupMs: medianOf(runs.map((run) => run.startupMs)),
    phasesMs: Object.fromEntries(
      PHASES.map((phase) => [phase, medianOf(runs.map((run) => run.phasesMs[phase] ?? 0))]),
    ),
    loadAverages: runs.map((run) => run.loadAverage),
  };
}

/** `plan 100000: 2.10 s (cpu 1.90 s), 310 MiB (start 0.20, parse 0.80, validate 0.50, plan 0.40, output 0.20)` */
export function describeCliResult(result: CliBenchResult): string {
  const phases = PHASES.map((phase) => `${phase} ${((result.phasesMs[phase] ?? 0) / 1000).toFixed(2)}`);
  const build = result.build === 'baseline' ? 'before: ' : '';
  return `${build}${result.command} ${result.servers}: ${(result.wallMs / 1000).toFixed(2)} s (cpu ${(result.cpuMs / 1000).toFixed(2)} s), ${result.maxRssMiB.toFixed(0)} MiB (start ${(result.startupMs / 1000).toFixed(2)}, ${phases.join(', ')})`;
}

/**
 * For each size: writes the fleet, then runs plan, check and show `trials` times each (plan
 * first: check and show read the plan it wrote) and returns the medians.
 */
export function runCliPlanBench(
  trials = 3,
  sizes: readonly number[] = CLI_BENCH_SIZES,
  print: (line: string) => void = (line) => console.log(line),
): Promise<CliBenchResult[]> {
  return (async () => {
    const results: CliBenchResult[] = [];
    for (const size of sizes) {
      const dir = mkdtempSync(join(tmpdir(), `dbwave-cli-bench-${size}-`));
      try {
        const files = await writeFleetFiles(dir, size);
        for (const command of CLI_COMMANDS) {
          const args = argumentsOf(command, files.campaignFile, files.planFile);
          const current: ProcessRun[] = [];
          const baseline: ProcessRun[] = [];
          for (let trial = 0; trial < trials; trial += 1) {
            // The baseline first: a plan it writes is then overwritten by the current build's.
            if (BASELINE_CLI !== undefined) baseline.push(runOnce(BASELINE_CLI, dir, args));
            current.push(runOnce(CLI, dir, args));
          }
          const measured = [summary('current', size, command, current)];
          if (BASELINE_CLI !== undefined) measured.push(summary('baseline', size, command, baseline));
          for (const result of measured) {
            print(
              `${describeCliResult(result)}; load ${result.loadAverages.map((load) => load.toFixed(1)).join(' ')}`,
            );
            results.push(result);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return results;
  })();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const trials = Number(process.argv[2] ?? 3);
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  await runCliPlanBench(trials);
}
