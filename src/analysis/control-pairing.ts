import type { MetricSeries } from '../stats/compare/series-from-readings.js';
import type { PairedControl } from './innodb-comparison.js';

/**
 * Pairs each control's baseline series with its later one, in the order of `later`. A control
 * without both cannot show a shift and takes no part.
 */
export function pairControls(
  baselines: ReadonlyMap<string, MetricSeries>,
  later: Iterable<readonly [server: string, series: MetricSeries]>,
): PairedControl[] {
  const paired: PairedControl[] = [];
  for (const [server, after] of later) {
    const baseline = baselines.get(server);
    if (baseline !== undefined) paired.push({ server, baseline, after });
  }
  return paired;
}
