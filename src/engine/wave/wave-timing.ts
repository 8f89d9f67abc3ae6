import type { PlannedDay, PlannedServer, PlannedWave } from '../../model/plan.js';

/** Where `now` falls against a wave's days and their maintenance windows. */
export type WaveTiming =
  | { readonly state: 'inside'; readonly day: PlannedDay }
  | { readonly state: 'before'; readonly next: PlannedDay }
  | { readonly state: 'between'; readonly next: PlannedDay }
  | { readonly state: 'after'; readonly last: PlannedDay };

/** Pure: the day whose window holds `now`, or the next one, or that the wave's days are over. */
export function waveTiming(wave: PlannedWave, now: number): WaveTiming {
  const days = [...wave.days].sort((a, b) => Date.parse(a.windowStart) - Date.parse(b.windowStart));
  for (const day of days) {
    if (now >= Date.parse(day.windowStart) && now <= Date.parse(day.windowEnd))
      return { state: 'inside', day };
  }
  const next = days.find((day) => Date.parse(day.windowStart) > now);
  const last = days.at(-1);
  if (next) return next === days[0] ? { state: 'before', next } : { state: 'between', next };
  if (!last) throw new Error(`wave ${wave.index} has no days`);
  return { state: 'after', last };
}

/**
 * The servers of a wave due on `day`: its own and those of earlier days (left over by a halt or a
 * stopped run); every server when no day is given (`--ignore-date`). Plan order is kept.
 */
export function serversDue(wave: PlannedWave, day: PlannedDay | undefined): readonly PlannedServer[] {
  if (!day) return wave.servers;
  return wave.servers.filter((server) => server.date <= day.date);
}
