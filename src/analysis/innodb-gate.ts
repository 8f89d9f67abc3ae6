import type { GateVerdict } from '../gates/gate-verdict.js';
import type { MetricComparison } from '../stats/compare/metric-comparison.js';
import type { InnodbComparison } from './innodb-comparison.js';

/**
 * Analysis: the server's InnoDB rates against its baseline and its controls. Fails when a
 * judged metric is worse beyond its threshold and the controls (when they can tell) did not
 * shift alike; inconclusive when such a change is within the server's own noise, or when no
 * judged metric has data on both sides. Informational metrics never decide.
 */
export function innodbGate(comparison: InnodbComparison, gate = 'innodb'): GateVerdict {
  const judged = comparison.metrics.filter((metric) => metric.judged);
  const failed = judged.filter((metric) => metric.finding === 'fail');
  const noisy = judged.filter((metric) => metric.finding === 'inconclusive');
  const withData = judged.filter((metric) => metric.finding !== 'no data');
  const controls =
    comparison.controls.length === 0 ? 'no controls' : `controls ${comparison.controls.join(', ')}`;
  // Which baseline judged the server ends every verdict a person reads (gate records, reports).
  const baseline = comparison.baseline === undefined ? '' : `; baseline ${comparison.baseline}`;
  if (failed.length > 0) {
    return {
      gate,
      verdict: 'fail',
      evidence: `${controls}; worse: ${failed.map(line).join('; ')}${baseline}`,
    };
  }
  if (noisy.length > 0) {
    return {
      gate,
      verdict: 'inconclusive',
      evidence: `${controls}; worse but within noise: ${noisy.map(line).join('; ')}${baseline}`,
    };
  }
  if (withData.length === 0) {
    return {
      gate,
      verdict: 'inconclusive',
      evidence: `${controls}; no judged metric has samples before and after${baseline}`,
    };
  }
  const explained = judged.filter((metric) => metric.verdict === 'worse' && metric.finding === 'pass');
  const noData = judged.filter((metric) => metric.finding === 'no data');
  const notes = [
    `${withData.length} judged metric(s) within thresholds`,
    ...(explained.length > 0 ? [`explained by the controls: ${explained.map(line).join('; ')}`] : []),
    ...(noData.length > 0 ? [`no data: ${noData.map((metric) => metric.name).join(', ')}`] : []),
  ];
  return { gate, verdict: 'pass', evidence: `${controls}; ${notes.join('; ')}${baseline}` };
}

function line(metric: MetricComparison): string {
  return `${metric.name} ${metric.reason}`;
}
