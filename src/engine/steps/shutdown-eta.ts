/**
 * The shutdown ETA while the server still answers: a clean shutdown (innodb_fast_shutdown=0)
 * must flush every dirty page and purge the whole history list, so the time left is the slower
 * of the two at their recent rates of decrease. Pure.
 */
export interface DrainSample {
  readonly at: number;
  readonly dirtyPages?: number;
  readonly historyListLength?: number;
}

/**
 * The rate is taken over the last half minute of samples, whatever the poll interval: long
 * enough to smooth a flush burst, short enough to follow a drain that slows down. Older samples
 * are of no use, so the caller keeps only this window (memory stays flat over an hour's drain).
 */
export const RATE_WINDOW_MS = 30_000;

/** Drops the samples older than the rate window, in place. */
export function pruneDrainSamples(samples: DrainSample[]): void {
  const last = samples.at(-1);
  if (last === undefined) return;
  const keepFrom = samples.findIndex((sample) => sample.at >= last.at - RATE_WINDOW_MS);
  if (keepFrom > 0) samples.splice(0, keepFrom);
}

/** Milliseconds left, or undefined while a quantity does not decrease (no honest estimate). */
export function estimateShutdownEta(samples: readonly DrainSample[]): number | undefined {
  const newest = samples.at(-1);
  const recent =
    newest === undefined ? [] : samples.filter((sample) => sample.at >= newest.at - RATE_WINDOW_MS);
  const first = recent[0];
  const last = recent.at(-1);
  if (!first || !last || last.at <= first.at) return undefined;
  const etas: number[] = [];
  for (const key of ['dirtyPages', 'historyListLength'] as const) {
    const start = first[key];
    const end = last[key];
    if (start === undefined || end === undefined) continue;
    if (end === 0) {
      etas.push(0);
      continue;
    }
    const perMs = (start - end) / (last.at - first.at);
    if (perMs <= 0) return undefined;
    etas.push(end / perMs);
  }
  return etas.length === 0 ? undefined : Math.max(...etas);
}
