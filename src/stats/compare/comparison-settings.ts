import { type CatalogMetric, catalogMetric, type MetricDirection } from './metric-catalog.js';

/** A change is flagged only when it is beyond both: `relative` of the baseline and `floor`. */
export interface Threshold {
  /** Relative change allowed, e.g. 0.5 = ±50% of the baseline. */
  readonly relative: number;
  /** Absolute change (per second, or gauge units) that never flags: idle metrics don't flap. */
  readonly floor: number;
}

export interface MetricThreshold extends Threshold {
  /** Overrides the catalog's direction: judge an informational metric, or stop judging one. */
  readonly direction?: MetricDirection;
}

/** What the comparison needs from the campaign's `stats` section (Campaign['stats'] fits). */
export interface ComparisonSettings {
  readonly threshold: Threshold;
  readonly thresholds: Readonly<Record<string, MetricThreshold>>;
  /** Significance level of the Mann-Whitney tests. */
  readonly alpha: number;
  /** How an interval series is summed up into one before or after value (default median). */
  readonly aggregate?: 'median' | 'mean';
}

export interface ResolvedMetricRule {
  readonly threshold: Threshold;
  readonly direction: MetricDirection;
  readonly catalog?: CatalogMetric;
}

/**
 * The threshold and direction one metric is judged by: the campaign's per-metric entry, else
 * the catalog's own default (for ratios, whose units the global threshold does not fit), else
 * the campaign's global threshold. Metrics outside the catalog are informational unless the
 * campaign gives them a direction.
 */
export function metricRule(name: string, settings: ComparisonSettings): ResolvedMetricRule {
  const catalog = catalogMetric(name);
  const configured = settings.thresholds[name];
  const threshold: Threshold = configured
    ? { relative: configured.relative, floor: configured.floor }
    : (catalog?.threshold ?? settings.threshold);
  const direction = configured?.direction ?? catalog?.direction ?? 'informational';
  return catalog === undefined ? { threshold, direction } : { threshold, direction, catalog };
}

/**
 * The largest change from `before` that is still not flagged: the threshold's, plus the
 * metric's normal daily swing when the baseline is a history (0 for a sampled one).
 */
export function allowedChange(before: number, threshold: Threshold, swing = 0): number {
  return Math.max(threshold.floor, threshold.relative * Math.abs(before)) + swing;
}

/** Whether going from `before` to `after` is beyond the threshold (and the swing), either way. */
export function exceedsThreshold(before: number, after: number, threshold: Threshold, swing = 0): boolean {
  return Math.abs(after - before) > allowedChange(before, threshold, swing);
}
