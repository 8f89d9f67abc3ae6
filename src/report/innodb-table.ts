import { compareJournaled, type JournaledSamplings } from '../analysis/journaled-comparison.js';
import type { ComparisonSettings } from '../stats/compare/comparison-settings.js';
import type { MetricComparison } from '../stats/compare/metric-comparison.js';
import type { InnodbMetricRow, InnodbTable } from './wave-report.js';

/**
 * Builds one server's InnoDB table from its journaled samplings. The report depends on this one
 * function type, so that the comparison behind it (src/analysis/) can change without it changing.
 */
export type InnodbComparer = (input: JournaledSamplings) => InnodbTable;

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

/**
 * The report's comparer: the analysis's comparison under the campaign's `stats` settings (their
 * defaults when not given), as a table.
 */
export function createInnodbComparer(settings?: ComparisonSettings): InnodbComparer {
  return (input) => {
    const result = compareJournaled(input, settings);
    // Catalog metrics a server never reported are noise in a table a person reads.
    const metrics = result.metrics
      .filter((metric) => metric.before !== undefined || metric.after !== undefined)
      .map(rowOf);
    // The table's verdict is its worst row; a table without a row has nothing to show.
    const verdict = metrics.some((metric) => metric.verdict === 'fail')
      ? 'fail'
      : metrics.some((metric) => metric.verdict === 'inconclusive') || metrics.length === 0
        ? 'inconclusive'
        : 'pass';
    return {
      verdict,
      afterPhase: input.after.phase === 'recheck' ? 'recheck' : 'after',
      controls: result.controls,
      ...(result.baseline === undefined ? {} : { baseline: result.baseline }),
      metrics,
    };
  };
}
