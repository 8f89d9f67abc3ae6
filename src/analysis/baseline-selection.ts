import type { StatsRecord } from '../engine/journal/journal-record.js';
import type { MetricSeries } from '../stats/compare/series-from-readings.js';

/** A server's own samplings: before its window, after the warm-up, and `dbwave compare`'s. */
export type SamplingPhase = NonNullable<StatsRecord['controlPhase']>;

/** What a server's later sampling is compared with, as journaled: its baseline and its controls'. */
export interface JournaledBaselines {
  /** The server's latest `baseline` sampling; undefined when it has none. */
  readonly server: StatsRecord | undefined;
  /** Each control's series beside that baseline, by control name, in the order they were journaled. */
  readonly controls: ReadonlyMap<string, MetricSeries>;
}

/**
 * The server's latest own sampling of `phase` among journaled stats records (its own and its
 * controls'): a server run again after a rollback has several.
 */
export function latestSampling(
  stats: readonly StatsRecord[],
  server: string,
  phase: SamplingPhase,
): StatsRecord | undefined {
  return stats.filter((record) => record.server === server && record.phase === phase).at(-1);
}

/** What is compared with the baseline: the latest `recheck` (`dbwave compare`), else the latest `after`. */
export function laterSampling(stats: readonly StatsRecord[], server: string): StatsRecord | undefined {
  return latestSampling(stats, server, 'recheck') ?? latestSampling(stats, server, 'after');
}

/** The server's baseline and its controls', from the journaled stats records about it. */
export function journaledBaselines(stats: readonly StatsRecord[], server: string): JournaledBaselines {
  return {
    server: latestSampling(stats, server, 'baseline'),
    controls: controlSeries(stats, server, 'baseline'),
  };
}

/**
 * Each control's series sampled beside the server's `phase` sampling, by control name, in the
 * order the controls first appear in the journal. A control without such a sampling is absent.
 */
export function controlSeries(
  stats: readonly StatsRecord[],
  server: string,
  phase: SamplingPhase,
): Map<string, MetricSeries> {
  const byControl = new Map<string, StatsRecord[]>();
  for (const record of stats) {
    if (record.controlFor !== server) continue;
    byControl.set(record.server, [...(byControl.get(record.server) ?? []), record]);
  }
  const series = new Map<string, MetricSeries>();
  for (const [control, records] of byControl) {
    const beside = samplingBeside(records, phase);
    if (beside !== undefined) series.set(control, beside.series);
  }
  return series;
}

/**
 * One control's sampling beside the server's `phase` sampling: the latest marked with that
 * `controlPhase` (unmarked counts as baseline). Journals from before `controlPhase` existed hold
 * a control's baseline first and its later sampling last; a lone sampling there is a baseline.
 */
function samplingBeside(records: readonly StatsRecord[], phase: SamplingPhase): StatsRecord | undefined {
  if (records.some((record) => record.controlPhase !== undefined)) {
    return records.filter((record) => (record.controlPhase ?? 'baseline') === phase).at(-1);
  }
  if (phase === 'baseline') return records[0];
  return records.length > 1 ? records.at(-1) : undefined;
}
