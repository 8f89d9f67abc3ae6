import { DateTime } from 'luxon';
import { formatDuration } from '../core/duration.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import type { Plan, PlannedDay } from '../model/plan.js';

/** Package upgrade plus post-upgrade when a class does not say: 1m typical, 3m slow. */
export const DEFAULT_UPGRADE_TIMING = { p50: 60_000, p95: 180_000 } as const;

/** Whether a day's expected work fits its window: at p95, only at p50, or not even at p50. */
/** One server's expected time from its class's timings: shutdown + upgrade + start, at a quantile. */
export function expectedServerMs(
  hardwareClass: Pick<HardwareClass, 'expected'>,
  quantile: 'p50' | 'p95',
): number {
  const expected = hardwareClass.expected;
  return (
    expected.shutdown[quantile] +
    expected.start[quantile] +
    (expected.upgrade ?? DEFAULT_UPGRADE_TIMING)[quantile]
  );
}

export type CapacityFit = 'fits' | 'tight' | 'overruns';

export interface DayCapacity {
  readonly wave: number;
  readonly date: string;
  readonly servers: number;
  /** Servers per class id on that day. */
  readonly byClass: Readonly<Record<string, number>>;
  /** Servers in flight at once: the campaign's `concurrency.wave`. */
  readonly concurrency: number;
  /** Expected elapsed time of the day's work at typical (p50) and slow (p95) per-server timings. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly windowMs: number;
  readonly fit: CapacityFit;
}

/**
 * Estimates each day's elapsed work: per class, servers × (shutdown + start + upgrade) at p50 and
 * at p95, spread over the servers in flight at once. The wave's concurrency bounds all classes
 * together; a class's own limit (`concurrency` in its file, else the campaign's
 * `concurrency.perClass`) bounds that class alone; the estimate is the larger of the two bounds,
 * and never less than one server's own time. It ignores the one-per-cluster rule, so it is a
 * lower bound of the real day, which is why a day that fits only at p50 is flagged as tight.
 */
export function estimateCapacity(
  plan: Pick<Plan, 'waves'>,
  fleet: readonly HardwareClass[],
  campaign: Pick<Campaign, 'concurrency' | 'timezone'>,
): DayCapacity[] {
  const classes = new Map(fleet.map((hardwareClass) => [hardwareClass.id, hardwareClass]));
  const days: DayCapacity[] = [];
  for (const wave of plan.waves) {
    for (const day of wave.days) {
      const byClass: Record<string, number> = {};
      for (const server of wave.servers) {
        if (server.date === day.date) byClass[server.class] = (byClass[server.class] ?? 0) + 1;
      }
      days.push(dayCapacity(wave.index, day, byClass, classes, campaign));
    }
  }
  return days;
}

function dayCapacity(
  wave: number,
  day: PlannedDay,
  byClass: Readonly<Record<string, number>>,
  classes: ReadonlyMap<string, HardwareClass>,
  campaign: Pick<Campaign, 'concurrency' | 'timezone'>,
): DayCapacity {
  const concurrency = campaign.concurrency.wave;
  const elapsed = (quantile: 'p50' | 'p95'): number => {
    let total = 0;
    let slowestClass = 0;
    let longestServer = 0;
    for (const [classId, count] of Object.entries(byClass)) {
      const hardwareClass = classes.get(classId);
      if (hardwareClass === undefined) continue;
      const perServer = expectedServerMs(hardwareClass, quantile);
      const classLimit = Math.min(
        concurrency,
        hardwareClass.concurrency ?? campaign.concurrency.perClass ?? concurrency,
      );
      total += count * perServer;
      slowestClass = Math.max(slowestClass, (count * perServer) / classLimit);
      longestServer = Math.max(longestServer, perServer);
    }
    return Math.max(total / concurrency, slowestClass, longestServer);
  };
  const p50Ms = elapsed('p50');
  const p95Ms = elapsed('p95');
  const windowMs = DateTime.fromISO(day.windowEnd).toMillis() - DateTime.fromISO(day.windowStart).toMillis();
  const servers = Object.values(byClass).reduce((total, count) => total + count, 0);
  const fit: CapacityFit = p95Ms <= windowMs ? 'fits' : p50Ms <= windowMs ? 'tight' : 'overruns';
  return { wave, date: day.date, servers, byClass, concurrency, p50Ms, p95Ms, windowMs, fit };
}

/** One line for a day whose work may not fit its window, or undefined when it fits. */
export function capacityWarning(day: DayCapacity): string | undefined {
  if (day.fit === 'fits') return undefined;
  const work = `${day.servers} servers at concurrency ${day.concurrency} need about ${formatDuration(day.p50Ms)} (p50) to ${formatDuration(day.p95Ms)} (p95)`;
  const window = formatDuration(day.windowMs);
  const verdict =
    day.fit === 'tight'
      ? `may overrun its ${window} window at p95`
      : `does not fit its ${window} window even at p50`;
  return `wave ${day.wave}, ${day.date}: ${work}; the day ${verdict}: raise concurrency.wave or spread the wave over more days`;
}
