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

/** How many recent samples the rate is taken over. */
const RATE_WINDOW = 6;

/** Milliseconds left, or undefined while a quantity does not decrease (no honest estimate). */
export function estimateShutdownEta(samples: readonly DrainSample[]): number | undefined {
  const recent = samples.slice(-RATE_WINDOW);
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
