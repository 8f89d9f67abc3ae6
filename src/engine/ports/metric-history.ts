import type { ResolvedServer } from '../../model/resolved-server.js';

/**
 * One metric to fetch, by the SHOW GLOBAL STATUS variables it is read from (the first a server
 * has wins), or a hit ratio of two counters: what the history source must translate into its own
 * series names. Named as in the stats records.
 */
export type HistoryMetric =
  | { readonly name: string; readonly kind: 'counter' | 'gauge'; readonly statuses: readonly string[] }
  | { readonly name: string; readonly hitRatio: { readonly misses: string; readonly requests: string } };

/**
 * A server's past InnoDB series from a monitoring system (Prometheus: adapters/prometheus/):
 * what a history baseline (campaign `baseline.prometheus`) is made of. The engine owns this
 * narrow interface; unit tests give a fake.
 */
export interface MetricHistory {
  /** Where the history comes from, secrets masked: journaled and shown in reports. */
  readonly source: string;
  /**
   * The server's `metrics` between two instants, one value per step, by metric name as in
   * the stats records (counters as rates per second). A metric without data is absent. Throws
   * when the source cannot be asked (unreachable, refused, timed out).
   */
  series(
    server: ResolvedServer,
    span: { readonly startMs: number; readonly endMs: number },
    metrics: readonly HistoryMetric[],
    signal: AbortSignal,
  ): Promise<Readonly<Record<string, readonly number[]>>>;
}
