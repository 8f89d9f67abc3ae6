import type { ComparisonSettings } from '../stats/compare/comparison-settings.js';
import { METRIC_CATALOG } from '../stats/compare/metric-catalog.js';
import { compareMetric, type MetricComparison } from '../stats/compare/metric-comparison.js';
import type { MetricSeries } from '../stats/compare/series-from-readings.js';

/** A same-class server not yet upgraded, sampled over the same two periods as the server. */
export interface PairedControl {
  readonly server: string;
  readonly baseline: MetricSeries;
  readonly after: MetricSeries;
}

export interface InnodbComparisonInput {
  /** The server's series before its window (StatsRecord phase `baseline`). */
  readonly baseline: MetricSeries;
  /** After the warm-up (phase `after`) or hours later (phase `recheck`). */
  readonly after: MetricSeries;
  readonly controls?: readonly PairedControl[];
  /** Per metric, the daily swing a history baseline allows (see MetricSamples.swing). */
  readonly swing?: Readonly<Record<string, number>>;
}

export interface InnodbComparison {
  /** Catalog metrics in report order, then campaign-configured extras. */
  readonly metrics: readonly MetricComparison[];
  /** Names of the controls that took part. */
  readonly controls: readonly string[];
  /** Which baseline the server was compared with, in words (history-baseline.ts); absent: not said. */
  readonly baseline?: string;
}

/**
 * Compares a server's InnoDB series after its upgrade with its own baseline and with its
 * controls' shift over the same periods. Pure: series in, verdicts out. Covers every catalog
 * metric (those a server lacks come out `no data`) and every other series the campaign gives a
 * per-metric threshold.
 */
export function compareInnodb(input: InnodbComparisonInput, settings: ComparisonSettings): InnodbComparison {
  const controls = input.controls ?? [];
  const names = [
    ...METRIC_CATALOG.map((metric) => metric.name),
    ...Object.keys(settings.thresholds).filter(
      (name) => !METRIC_CATALOG.some((metric) => metric.name === name),
    ),
  ];
  const metrics = names.map((name) =>
    compareMetric(
      {
        name,
        before: input.baseline[name] ?? [],
        after: input.after[name] ?? [],
        swing: input.swing?.[name] ?? 0,
        controls: controls.map((control) => ({
          server: control.server,
          before: control.baseline[name] ?? [],
          after: control.after[name] ?? [],
        })),
      },
      settings,
    ),
  );
  return { metrics, controls: controls.map((control) => control.server) };
}
