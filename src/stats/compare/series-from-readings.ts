import {
  innodbMetricKind,
  METRIC_CATALOG,
  type MetricKind,
  type MetricSource,
  statusVariableKind,
} from './metric-catalog.js';
import type { StatusReading } from './status-reading.js';

/** metric name -> one value per sample interval: the StatsRecord `series` shape. */
export type MetricSeries = Readonly<Record<string, readonly number[]>>;

export interface SeriesResult {
  readonly series: MetricSeries;
  /** Intervals across which the server restarted (counters went down or Uptime did): dropped. */
  readonly droppedIntervals: number;
}

export interface SeriesOptions {
  /**
   * Also keep every other numeric `Innodb_*` status variable (under its own name) and every
   * enabled INNODB_METRICS row (as `innodb_metrics.NAME`): informational, for a person digging
   * into a verdict. Default true.
   */
  readonly includeRaw?: boolean;
}

/** Prefix of raw INNODB_METRICS series, so they never collide with status variable names. */
export const INNODB_METRICS_PREFIX = 'innodb_metrics.';

/** Per interval: a value, or undefined when the interval has none (reset, missing, idle ratio). */
type IntervalValues = readonly (number | undefined)[];

/**
 * Turns N+1 readings into N interval values per metric. Counters become per-second rates over
 * each interval; an interval across which a counter went down (a reset or a restart) is dropped
 * for that counter, never reported as a negative rate, and a restart seen in `Uptime` drops the
 * interval for every counter. Gauges keep the reading at the end of each interval. The buffer
 * pool hit ratio is derived per interval from the two rates, before anything is dropped, so
 * that its values line up with the intervals they came from.
 */
export function seriesFromReadings(
  readings: readonly StatusReading[],
  options: SeriesOptions = {},
): SeriesResult {
  const restarts = restartedIntervals(readings);
  const series: Record<string, readonly number[]> = {};
  const byName = new Map<string, IntervalValues>();

  for (const metric of METRIC_CATALOG) {
    const source = metric.sources.find((candidate) => readSource(readings[0], candidate) !== undefined);
    if (source === undefined) continue;
    const values = intervalValues(readings, metric.kind, restarts, (reading) => readSource(reading, source));
    byName.set(metric.name, values);
  }
  const hitRatio = hitRatioValues(byName.get('buffer_pool_reads'), byName.get('buffer_pool_read_requests'));
  if (hitRatio !== undefined) byName.set('buffer_pool_hit_ratio', hitRatio);

  for (const metric of METRIC_CATALOG) {
    const values = byName.get(metric.name);
    if (values !== undefined) series[metric.name] = compact(values);
  }

  if (options.includeRaw ?? true) {
    for (const [name, kind] of rawMetrics(readings[0])) {
      if (series[name] !== undefined) continue;
      series[name] = compact(intervalValues(readings, kind, restarts, (reading) => rawValue(reading, name)));
    }
  }
  return { series, droppedIntervals: [...restarts].filter(Boolean).length };
}

function readSource(reading: StatusReading | undefined, source: MetricSource): number | undefined {
  if (reading === undefined) return undefined;
  if ('status' in source) return reading.status[source.status];
  if ('innodbMetric' in source) return reading.innodbMetrics[source.innodbMetric]?.count;
  if ('engineStatus' in source) return reading.engineHistoryListLength;
  return undefined;
}

function rawValue(reading: StatusReading, name: string): number | undefined {
  return name.startsWith(INNODB_METRICS_PREFIX)
    ? reading.innodbMetrics[name.slice(INNODB_METRICS_PREFIX.length)]?.count
    : reading.status[name];
}

/** The raw series worth keeping, named and classified, from the first reading. */
function rawMetrics(reading: StatusReading | undefined): [string, MetricKind][] {
  if (reading === undefined) return [];
  const found: [string, MetricKind][] = [];
  for (const name of Object.keys(reading.status)) {
    if (name.startsWith('Innodb_') || name.startsWith('Com_')) found.push([name, statusVariableKind(name)]);
  }
  for (const [name, row] of Object.entries(reading.innodbMetrics)) {
    const kind = innodbMetricKind(name, row.type);
    if (kind !== undefined) found.push([`${INNODB_METRICS_PREFIX}${name}`, kind]);
  }
  return found;
}

/** true at index i when the server restarted between reading i and i+1 (Uptime went down). */
function restartedIntervals(readings: readonly StatusReading[]): boolean[] {
  const flags: boolean[] = [];
  for (let index = 1; index < readings.length; index++) {
    const before = readings[index - 1]?.uptimeSeconds;
    const after = readings[index]?.uptimeSeconds;
    flags.push(before !== undefined && after !== undefined && after < before);
  }
  return flags;
}

function intervalValues(
  readings: readonly StatusReading[],
  kind: MetricKind,
  restarts: readonly boolean[],
  read: (reading: StatusReading) => number | undefined,
): IntervalValues {
  const values: (number | undefined)[] = [];
  for (let index = 1; index < readings.length; index++) {
    const previous = readings[index - 1];
    const current = readings[index];
    if (previous === undefined || current === undefined) continue;
    const end = read(current);
    if (kind === 'gauge') {
      values.push(end);
      continue;
    }
    const start = read(previous);
    const seconds = (current.atMs - previous.atMs) / 1000;
    const valid = start !== undefined && end !== undefined && end >= start && seconds > 0;
    values.push(valid && restarts[index - 1] !== true ? (end - start) / seconds : undefined);
  }
  return values;
}

/** 1 - misses / requests per interval; no value for an interval without read requests. */
function hitRatioValues(
  reads: IntervalValues | undefined,
  requests: IntervalValues | undefined,
): IntervalValues | undefined {
  if (reads === undefined || requests === undefined) return undefined;
  return requests.map((requested, index) => {
    const missed = reads[index];
    if (requested === undefined || missed === undefined || requested <= 0) return undefined;
    return Math.min(1, Math.max(0, 1 - missed / requested));
  });
}

function compact(values: IntervalValues): number[] {
  return values.filter((value): value is number => value !== undefined).map(round);
}

/** Six significant digits: plenty for a verdict, and journals stay small. */
function round(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(6));
}
