import { UsageError } from '../core/errors.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import { type LoadedPlan, loadPlan } from '../inventory/load-plan.js';
import type { PlannedWave } from '../model/plan.js';

/** Everything a command needs about one wave of a plan: the one place `--wave` is looked up. */
export interface WaveContext {
  readonly loaded: LoadedPlan;
  readonly wave: PlannedWave;
  /** Absolute path of the campaign's state dir (it may not exist yet). */
  readonly stateDir: string;
}

/** What every command about one wave of a plan is told: the plan, `--wave` and `--state-dir`. */
export interface WaveArguments {
  /** The plan file, from the working directory. */
  readonly plan: string;
  readonly wave: number;
  /** `--state-dir`: a copy of another machine's state dir, say. */
  readonly stateDir?: string | undefined;
}

/** The plan's wave `index`, or a usage error that lists the waves there are. */
export function planWave(loaded: LoadedPlan, index: number): PlannedWave {
  if (!Number.isInteger(index) || index < 1)
    throw new UsageError(`--wave must be a wave number from 1, not ${index}`);
  const wave = loaded.plan.waves.find((candidate) => candidate.index === index);
  if (wave === undefined) {
    const known = loaded.plan.waves.map((candidate) => candidate.index).join(', ');
    throw new UsageError(`${loaded.plan.campaign} has no wave ${index} (its plan has waves ${known})`);
  }
  return wave;
}

/** The wave `waveIndex` of a loaded plan and its campaign's state dir (`--state-dir` or the campaign's). */
export function waveContextOf(
  loaded: LoadedPlan,
  waveIndex: number,
  stateDir: string | undefined,
): WaveContext {
  const wave = planWave(loaded, waveIndex);
  const { campaign, campaignFile } = loaded.inventory;
  return { loaded, wave, stateDir: resolveStateDir(campaignFile, campaign, stateDir) };
}

/** Loads the plan, its campaign and fleet, and finds the wave and the state dir. Reads only. */
export async function loadWaveContext(args: WaveArguments, cwd: string): Promise<WaveContext> {
  return waveContextOf(await loadPlan(args.plan, { cwd }), args.wave, args.stateDir);
}
