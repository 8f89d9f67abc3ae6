import type { ComparisonSettings } from '../stats/compare/comparison-settings.js';
import type { MetricSeries } from '../stats/compare/series-from-readings.js';
import type { RecordedSampling } from '../stats/sampling/record-sampling.js';
import { pairControls } from './control-pairing.js';
import type { Baseline } from './history-baseline.js';
import { compareInnodb, type InnodbComparison } from './innodb-comparison.js';

/**
 * Compares a sampling just taken (the server and its controls side by side) with the journaled
 * baselines: the server's own (sampled, or its history: comparison-baseline.ts), and each
 * control's that was sampled again. Pure.
 */
export function compareFreshSampling(
  baseline: Baseline,
  controlBaselines: ReadonlyMap<string, MetricSeries>,
  sampled: RecordedSampling,
  settings: ComparisonSettings,
): InnodbComparison {
  const later = sampled.controls.flatMap((control) =>
    'sampling' in control ? [[control.server, control.sampling.series] as const] : [],
  );
  return compareInnodb(
    {
      baseline: baseline.series,
      swing: baseline.swing,
      after: sampled.target.series,
      controls: pairControls(controlBaselines, later),
    },
    settings,
  );
}
