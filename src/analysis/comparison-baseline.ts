import type { HistoryBaselineInfo, JournalEntry, StatsRecord } from '../engine/journal/journal-record.js';
import type { MetricHistory } from '../engine/ports/metric-history.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import {
  type Baseline,
  HISTORY_METRICS,
  historyBaseline,
  journaledBaseline,
  sameHourWindows,
  type WindowSeries,
} from './history-baseline.js';

/** What choosing the baseline of one later sampling needs. */
export interface ComparisonBaselineOptions {
  readonly campaign: Pick<Campaign, 'baseline' | 'stats'>;
  readonly server: ResolvedServer;
  readonly wave: number;
  /** The server's journaled `baseline` sampling, from before its window. */
  readonly sampled: StatsRecord;
  /** The sampling this baseline is for, and when it started (epoch ms). */
  readonly laterPhase: 'after' | 'recheck';
  readonly at: number;
  /** Undefined when the campaign has no `baseline.prometheus`. */
  readonly history: MetricHistory | undefined;
  readonly record: (entry: JournalEntry) => Promise<unknown>;
  readonly signal: AbortSignal;
}

/**
 * The baseline a later sampling is compared with. Without `baseline.prometheus`, the sampled
 * minute. With it, the server's history at the same hour on each of the past `days` days before
 * its window, journaled as a `history` StatsRecord beside the sampling (so the report compares
 * as the gate did). When Prometheus cannot be asked or holds fewer than `minDays` days, the
 * sampled minute is used and the journaled record says why: a monitoring outage must not hold a
 * wave or roll a server back, and the sampled minute is what dbwave judged by before.
 */
export async function comparisonBaseline(options: ComparisonBaselineOptions): Promise<Baseline> {
  const spec = options.campaign.baseline;
  const { history, sampled } = options;
  if (spec === undefined || history === undefined) return journaledBaseline(sampled, undefined);
  const windows = sameHourWindows({
    at: options.at,
    baselineAt: Date.parse(sampled.at),
    days: spec.days,
    widthMs: spec.window,
  });
  let answered: WindowSeries[];
  try {
    answered = await Promise.all(
      windows.map(async (window) => ({
        window,
        series: await history.series(options.server, window, HISTORY_METRICS, options.signal),
      })),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return journalHistory(options, sampled.series, {
      daysWithData: 0,
      swing: {},
      fellBack: `unreachable: ${reason}`,
    });
  }
  const built = historyBaseline(answered, sampled.series, {
    minDays: spec.minDays,
    aggregate: options.campaign.stats.aggregate,
  });
  if (Object.keys(built.swing).length === 0) {
    return journalHistory(
      options,
      {},
      {
        daysWithData: built.daysWithData,
        swing: {},
        fellBack: `too little history: fewer than ${spec.minDays} of ${windows.length} day(s) at this hour have data`,
      },
    );
  }
  const own = Object.fromEntries(Object.keys(built.swing).map((name) => [name, built.series[name] ?? []]));
  return journalHistory(options, own, { daysWithData: built.daysWithData, swing: built.swing });
}

async function journalHistory(
  options: ComparisonBaselineOptions,
  series: StatsRecord['series'],
  found: Pick<HistoryBaselineInfo, 'daysWithData' | 'swing' | 'fellBack'>,
): Promise<Baseline> {
  const spec = options.campaign.baseline;
  const info: HistoryBaselineInfo = {
    for: options.laterPhase,
    source: options.history?.source ?? '',
    days: spec?.days ?? 0,
    ...found,
  };
  const fellBack = found.fellBack === undefined ? {} : { fellBack: found.fellBack };
  const entry = {
    kind: 'stats',
    wave: options.wave,
    server: options.server.name,
    phase: 'history',
    intervalMs: spec?.step ?? 0,
    series: found.fellBack === undefined ? series : {},
    history: { ...info, ...fellBack },
  } as const;
  await options.record(entry);
  return journaledBaseline(options.sampled, entry);
}
