/**
 * The shortest wall time any scheduler could reach for these per-server durations on
 * `slots` slots, known in advance (exhaustive search; the bench's waves are a handful of
 * servers). What a wave's wall time is above it is the scheduler's; what lies between it and
 * servers / slots x mean is the granularity of whole servers, which no scheduler removes.
 */
export function bestMakespan(durations: readonly number[], slots: number): number {
  const sorted = [...durations].sort((a, b) => b - a);
  const loads = new Array<number>(Math.max(1, slots)).fill(0);
  let best = sorted.reduce((sum, ms) => sum + ms, 0);
  const place = (index: number, current: number): void => {
    if (current >= best) return;
    if (index === sorted.length) {
      best = current;
      return;
    }
    const ms = sorted[index] ?? 0;
    const seen = new Set<number>();
    for (let slot = 0; slot < loads.length; slot += 1) {
      const load = loads[slot] ?? 0;
      // Slots with equal loads are interchangeable: trying one of them is enough.
      if (seen.has(load)) continue;
      seen.add(load);
      loads[slot] = load + ms;
      place(index + 1, Math.max(current, load + ms));
      loads[slot] = load;
    }
  };
  place(0, 0);
  return best;
}
