import type { StatsRecord } from '../engine/journal/journal-record.js';
import type { ComparisonSettings } from '../stats/compare/comparison-settings.js';
import { type ControlSampling, compareInnodb } from '../stats/compare/innodb-comparison.js';
import type { MetricComparison } from '../stats/compare/metric-comparison.js';
import type { InnodbComparison, InnodbMetricRow } from './wave-report.js';

export interface InnodbComparisonInput {
  readonly baseline: StatsRecord;
  /** The `after` samples, or a later `recheck`. */
  readonly after: StatsRecord;
  /** Control samples journaled for this server (`phase: control`, `controlFor`), in journal order. */
  readonly controls: readonly StatsRecord[];
}

/**
 * Builds one server's InnoDB table. The report depends on this one function type, so that the
 * comparison behind it (src/stats/compare/) can change without the report changing.
 */
export type InnodbComparer = (input: InnodbComparisonInput) => InnodbComparison;

/** The campaign's defaults (`stats`), for a report built without the campaign. */
export const DEFAULT_COMPARISON_SETTINGS: ComparisonSettings = {
  threshold: { relative: 0.5, floor: 1 },
  thresholds: {},
  alpha: 0.05,
};

/**
 * Pairs each control's samplings the way the analysis gate does: its `baseline` sampling with
 * the one taken beside this comparison's `after` (or `recheck`). Journals from before
 * `controlPhase` existed pair a control's first sampling with its last. A control without both
 * cannot show a shift and takes no part.
 */
function controlSamplings(
  controls: readonly StatsRecord[],
  afterPhase: StatsRecord['phase'],
): ControlSampling[] {
  const byServer = new Map<string, StatsRecord[]>();
  for (const control of controls)
    byServer.set(control.server, [...(byServer.get(control.server) ?? []), control]);
  const samplings: ControlSampling[] = [];
  for (const [server, records] of byServer) {
    const phased = records.some((record) => record.controlPhase !== undefined);
    const baseline = phased
      ? records.filter((record) => (record.controlPhase ?? 'baseline') === 'baseline').at(-1)
      : records[0];
    const after = phased
      ? records.filter((record) => record.controlPhase === afterPhase).at(-1)
      : records.at(-1);
    if (baseline !== undefined && after !== undefined && baseline !== after) {
      samplings.push({ server, baseline: baseline.series, after: after.series });
    }
  }
  return samplings;
}

function rowOf(metric: MetricComparison): InnodbMetricRow {
  return {
    name: metric.name,
    before: metric.before ?? null,
    after: metric.after ?? null,
    change: metric.change ?? null,
    verdict: metric.finding,
    controlShift: metric.controlShift ?? null,
    direction: metric.direction,
    reason: metric.reason,
  };
}

/** The report's comparer: the stats module's comparison under the campaign's `stats` settings. */
export function createInnodbComparer(
  settings: ComparisonSettings = DEFAULT_COMPARISON_SETTINGS,
): InnodbComparer {
  return (input) => {
    const result = compareInnodb(
      {
        baseline: input.baseline.series,
        after: input.after.series,
        controls: controlSamplings(input.controls, input.after.phase),
      },
      settings,
    );
    // Catalog metrics a server never reported are noise in a table a person reads.
    const metrics = result.metrics
      .filter((metric) => metric.before !== undefined || metric.after !== undefined)
      .map(rowOf);
    const verdict = metrics.some((metric) => metric.verdict === 'fail')
      ? 'fail'
      : metrics.some((metric) => metric.verdict === 'inconclusive') || metrics.length === 0
        ? 'inconclusive'
        : 'pass';
    return {
      verdict,
      afterPhase: input.after.phase === 'recheck' ? 'recheck' : 'after',
      controls: result.controls,
      metrics,
    };
  };
}
