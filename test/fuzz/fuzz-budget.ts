/**
 * How many cases the fuzz suite runs, and from which seed. CI runs a fixed budget; a DBA who wants
 * more runs `npm run fuzz` (or sets DBWAVE_FUZZ_RUNS). A failure prints its seed and path, which
 * DBWAVE_FUZZ_SEED and DBWAVE_FUZZ_PATH replay.
 */

/** In-process cases in CI: about 20 s of test time on a busy 2-core machine. */
export const CI_RUNS = 300;
/** Cases that spawn the real CLI in CI: each costs a Node start (about a second). */
export const CI_END_TO_END_RUNS = 4;

/**
 * A case (all four commands on one mutated corpus) takes milliseconds. This bound catches a hang
 * or a runaway (input that makes a command loop), not slowness: on a 2-core machine shared with
 * other suites a case can wait seconds for a core, so speed is measured by `npm run bench`.
 */
export const CASE_TIME_LIMIT_MS = 30_000;
/** The heap may not keep more than this after the run, once garbage is collected. */
export const HEAP_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  return Number(text);
}

export interface FuzzBudget {
  readonly runs: number;
  readonly endToEndRuns: number;
  readonly seed: number;
  /** A failure's path, to replay it alone with its seed. */
  readonly path: string | undefined;
}

/** The budget from the environment: DBWAVE_FUZZ_RUNS, DBWAVE_FUZZ_SEED, DBWAVE_FUZZ_PATH. */
export function fuzzBudget(env: NodeJS.ProcessEnv = process.env): FuzzBudget {
  const runs = positiveInteger(env.DBWAVE_FUZZ_RUNS) ?? CI_RUNS;
  return {
    runs,
    endToEndRuns: Math.max(CI_END_TO_END_RUNS, Math.floor(runs / 100)),
    // A new seed each run, so that CI keeps exploring; it is printed, and a replay is one variable away.
    seed: integer(env.DBWAVE_FUZZ_SEED) ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0,
    path: env.DBWAVE_FUZZ_PATH === '' ? undefined : env.DBWAVE_FUZZ_PATH,
  };
}

/** How to run these cases again, for the log. */
export function replayHint(budget: FuzzBudget): string {
  return `DBWAVE_FUZZ_SEED=${budget.seed} DBWAVE_FUZZ_RUNS=${budget.runs} npx vitest run --config vitest.config.ts test/fuzz`;
}
