import type { Clock } from '../engine/ports/clock.js';
import type { JournalReadResult } from '../engine/ports/journal-store.js';
import type { LoadedPlan } from '../inventory/load-plan.js';
import { describeChange } from '../model/campaign-change.js';
import { buildWaveReport } from '../report/build-wave-report.js';
import { createInnodbComparer } from '../report/innodb-table.js';
import type { WaveReport } from '../report/wave-report.js';
import { openCampaignState } from './campaign-state.js';
import { waveCanaries } from './wave-canaries.js';
import type { WaveContext } from './wave-context.js';

/** Reads the campaign's journal without taking its lock: a view, safe while a run appends. */
export async function readJournal(
  loaded: Pick<LoadedPlan, 'inventory'>,
  stateDir: string,
  clock: Clock,
): Promise<JournalReadResult> {
  const { campaign, campaignFile } = loaded.inventory;
  const state = await openCampaignState({ campaign, campaignFile, stateDir, clock });
  try {
    return await state.read();
  } finally {
    await state.close();
  }
}

/** The report of `context`'s wave from a journal read, with the campaign's limits and thresholds. */
export function reportFor(
  context: Pick<WaveContext, 'loaded' | 'wave'>,
  journal: JournalReadResult,
  now: number,
): WaveReport {
  const { campaign } = context.loaded.inventory;
  const canaries = waveCanaries(context);
  return buildWaveReport({
    campaign: campaign.campaign,
    change: { kind: campaign.kind, description: describeChange(campaign) },
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
    ...(canaries === undefined ? {} : { plannedCanaries: canaries }),
    soak: { settings: campaign.soak, plan: context.loaded.shownPlanFile },
  });
}
