import { UsageError } from '../core/errors.js';
import { FileJournalStore } from '../engine/journal/file-journal-store.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalReadResult } from '../engine/ports/journal-store.js';
import { type LoadedPlan, loadPlan } from '../inventory/load-plan.js';
import type { PlannedWave } from '../model/plan.js';
import { buildWaveReport } from '../report/build-wave-report.js';
import { createInnodbComparer } from '../report/innodb-table.js';
import type { WaveReport } from '../report/wave-report.js';

/** Everything the read commands (report, checklist, status) need about one wave. */
export interface WaveContext {
  readonly loaded: LoadedPlan;
  readonly wave: PlannedWave;
  /** Absolute path of the campaign's state dir (it may not exist yet). */
  readonly stateDir: string;
}

export interface WaveContextOptions {
  readonly cwd?: string;
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

/** Loads the plan, its campaign and fleet, and finds the wave and the state dir. Reads only. */
export async function loadWaveContext(
  planPath: string,
  waveIndex: number,
  options: WaveContextOptions = {},
): Promise<WaveContext> {
  const loaded = await loadPlan(planPath, options.cwd === undefined ? {} : { cwd: options.cwd });
  const wave = planWave(loaded, waveIndex);
  const { campaign, campaignFile } = loaded.inventory;
  return { loaded, wave, stateDir: resolveStateDir(campaignFile, campaign, options.stateDir) };
}

/** Reads the campaign's journal without taking its lock: a view, safe while a run appends. */
export function readJournal(stateDir: string, campaign: string, clock: Clock): Promise<JournalReadResult> {
  return new FileJournalStore({ stateDir, campaign, clock }).read();
}

/** The report of `context`'s wave from a journal read, with the campaign's limits and thresholds. */
export function reportFor(
  context: Pick<WaveContext, 'loaded' | 'wave'>,
  journal: JournalReadResult,
  now: number,
): WaveReport {
  const { campaign } = context.loaded.inventory;
  return buildWaveReport({
    campaign: campaign.campaign,
    wave: context.wave.index,
    records: journal.records,
    tornTail: journal.tornTail !== undefined,
    plannedServers: context.wave.servers,
    limits: {
      target503Ms: campaign.target503,
      shutdownBudgetMs: campaign.shutdown.budget,
      failureBudget: campaign.failureBudget,
    },
    now,
    compareInnodb: createInnodbComparer(campaign.stats),
  });
}
