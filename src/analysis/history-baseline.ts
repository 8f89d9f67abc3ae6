import type { HistoryBaselineInfo, StatsRecord } from '../engine/journal/journal-record.js';
import type { HistoryMetric } from '../engine/ports/metric-history.js';
import { METRIC_CATALOG } from '../stats/compare/metric-catalog.js';
import { mean, median } from '../stats/compare/metric-comparison.js';
import type { MetricSeries } from '../stats/compare/series-from-readings.js';

const DAY_MS = 86_400_000;

/**
 * The catalog metrics a history source can give, by their status variables: every catalog
 * metric read from SHOW GLOBAL STATUS, and the buffer pool hit ratio. Those only INNODB_METRICS
 * or SHOW ENGINE INNODB STATUS give keep the sampled minute.
 */
export const HISTORY_METRICS: readonly HistoryMetric[] = [
  ...METRIC_CATALOG.flatMap((metric): HistoryMetric[] => {
    const statuses = metric.sources.flatMap((source) => ('status' in source ? [source.status] : []));
    return statuses.length === 0 ? [] : [{ name: metric.name, kind: metric.kind, statuses }];
  }),
  {
    name: 'buffer_pool_hit_ratio',
    hitRatio: { misses: 'Innodb_buffer_pool_reads', requests: 'Innodb_buffer_pool_read_requests' },
  },
];

/** One past stretch of time whose values stand for "this hour, on a normal day". */
export interface HistoryWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** Whole days between it and the comparison: 7 is the same hour of the same weekday. */
  readonly daysAgo: number;
}

/**
 * The same-hour windows of the past days: one `width` wide, centred on the comparison's time of
 * day, on each of the `days` days before the server's baseline (its window) whose window ends
 * before that baseline.
 * Never after the baseline: the server was being upgraded then, and what follows is the upgrade.
 * A comparison hours after the window (a soak point) still gets `days` windows, further back.
 * Oldest first. Pure.
 */
export function sameHourWindows(options: {
  /** When the later sampling was taken (epoch ms). */
  readonly at: number;
  /** When the server's baseline was sampled, just before its window (epoch ms). */
  readonly baselineAt: number;
  readonly days: number;
  readonly widthMs: number;
}): HistoryWindow[] {
  const { at, baselineAt, days, widthMs } = options;
  // Half a window of slack: the day exactly `days` before still counts at the same time of day.
  const earliest = baselineAt - days * DAY_MS - widthMs / 2;
  const windows: HistoryWindow[] = [];
  const furthest = Math.ceil((at - earliest) / DAY_MS) + 1;
  for (let daysAgo = 1; daysAgo <= furthest; daysAgo++) {
    const centre = at - daysAgo * DAY_MS;
    const window = { startMs: centre - widthMs / 2, endMs: centre + widthMs / 2, daysAgo };
    if (window.startMs >= earliest && window.endMs <= baselineAt) windows.push(window);
  }
  return windows.reverse();
}

/** What one past window held, as the history source answered: metric -> values, a step apart. */
export interface WindowSeries {
  readonly window: HistoryWindow;
  readonly series: MetricSeries;
}

/** The baseline a comparison uses, whichever its source. */
export interface Baseline {
  readonly series: MetricSeries;
  /** Per metric: the daily swing the threshold also allows (history metrics only). */
  readonly swing: Readonly<Record<string, number>>;
  /** Which baseline, in words, for a gate's evidence and the report. */
  readonly source: string;
}

/**
 * The baseline from past windows and the sampled minute: each metric that has values in at
 * least `minDays` windows takes all of them as its baseline series, and its swing is how far
 * the furthest day's own value (its median or mean, as `aggregate`) lies from the value of all
 * days together: what a normal day at this hour does. A metric with less history keeps its
 * sampled series and no swing. `fellBack` says why no metric had enough history. Pure.
 */
export function historyBaseline(
  windows: readonly WindowSeries[],
  sampled: MetricSeries,
  options: { readonly minDays: number; readonly aggregate: 'median' | 'mean' },
): { readonly series: MetricSeries; readonly swing: Record<string, number>; readonly daysWithData: number } {
  const summarise = options.aggregate === 'mean' ? mean : median;
  const names = new Set(windows.flatMap((entry) => Object.keys(entry.series)));
  const series: Record<string, readonly number[]> = { ...sampled };
  const swing: Record<string, number> = {};
  const daysSeen = new Set<number>();
  for (const name of names) {
    const days = windows
      .map((entry) => ({ daysAgo: entry.window.daysAgo, values: entry.series[name] ?? [] }))
      .filter((day) => day.values.length > 0);
    if (days.length < options.minDays) continue;
    const all = days.flatMap((day) => day.values);
    const overall = summarise(all);
    series[name] = all;
    swing[name] = round(Math.max(...days.map((day) => Math.abs(summarise(day.values) - overall))));
    for (const day of days) daysSeen.add(day.daysAgo);
  }
  return { series, swing, daysWithData: daysSeen.size };
}

/**
 * A comparison's baseline as journaled: the server's sampled minute, or, when a history record
 * that did not fall back goes with the later sampling, that history over the sampled minute. The
 * one place that turns journaled records into the baseline, for the gates, the report and the
 * metrics alike.
 */
export function journaledBaseline(
  sampled: Pick<StatsRecord, 'series' | 'intervalMs'>,
  history: Pick<StatsRecord, 'series' | 'history'> | undefined,
): Baseline {
  const info = history?.history;
  if (history === undefined || info === undefined || info.fellBack !== undefined) {
    return {
      series: sampled.series,
      swing: {},
      source: `sampled ${describeSpan(sampled)} before the window${info?.fellBack === undefined ? '' : ` (${historyName(info)}: ${info.fellBack})`}`,
    };
  }
  return {
    series: { ...sampled.series, ...history.series },
    swing: info.swing,
    source: `${historyName(info)}, ${info.daysWithData} of ${info.days} day(s) at this hour with data`,
  };
}

/**
 * The history record journaled with a later sampling: the first of the server's `history`
 * records for its phase after it in the journal (`seq`), and before the server's next later
 * sampling. Undefined for a campaign without `baseline.prometheus`.
 */
export function historyBeside(stats: readonly StatsRecord[], later: StatsRecord): StatsRecord | undefined {
  const following = stats
    .filter((record) => record.server === later.server && record.seq > later.seq)
    .sort((a, b) => a.seq - b.seq);
  for (const record of following) {
    if (record.phase === 'after' || record.phase === 'recheck') return undefined;
    if (record.phase === 'history' && record.history?.for === later.phase) return record;
  }
  return undefined;
}

function historyName(info: HistoryBaselineInfo): string {
  return `Prometheus ${info.source}, ${info.days} day(s) at this hour`;
}

function describeSpan(record: Pick<StatsRecord, 'series' | 'intervalMs'>): string {
  const intervals = Math.max(0, ...Object.values(record.series).map((values) => values.length));
  const seconds = Math.round((intervals * record.intervalMs) / 1000);
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** Six significant digits, as the sampled series keep. */
function round(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(6));
}
