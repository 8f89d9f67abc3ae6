import { apportion, evenSplit } from './apportion.js';
import { fairInterleave } from './fair-interleave.js';
import type { FleetServer, FleetView } from './fleet-view.js';
import { byStableHash } from './stable-hash.js';

/**
 * Servers placed into slots: one slot per working day, in calendar order (wave 1's days, then
 * wave 2's, ...). A slot's list is interleaved across classes, md layouts and datacenters.
 */
export interface SlotAssignment {
  readonly slots: FleetServer[][];
  /** The wave (0-based) each slot belongs to. */
  readonly waveOfSlot: readonly number[];
}

/**
 * Stratified allocation, three levels deep, each by cumulative largest remainder ({@link apportion}):
 *
 * 1. classes across waves, at least one server of every class in every wave;
 * 2. inside a class, its md-layout × datacenter strata across the class's share of each wave;
 * 3. inside a wave, each class across the wave's days, at least one per day when the class has
 *    at least as many servers in the wave as the wave has days.
 *
 * Inside a stratum, servers are ordered by the stable hash of their name and dealt out in
 * consecutive runs, so adding a server only inserts it into that order and shifts the run
 * boundaries by a unit or two.
 *
 * The caller has checked feasibility: every wave holds at least as many servers as there are
 * classes, and every class at least as many servers as there are waves.
 */
export function assignToSlots(
  view: FleetView,
  sizes: readonly number[],
  daysPerWave: readonly number[],
): SlotAssignment {
  const byClass = view.classes.map((hardwareClass) =>
    view.servers.filter((server) => server.classId === hardwareClass.id),
  );
  const classTotals = byClass.map((servers) => servers.length);
  const classByWave = apportion(
    classTotals,
    sizes,
    classTotals.map(() => 1),
  );

  // Per class, per wave: its servers, spread across its strata.
  const classWaveLists = byClass.map((servers, classIndex) =>
    spreadAcrossStrata(servers, classByWave[classIndex] ?? []),
  );

  const slots: FleetServer[][] = [];
  const waveOfSlot: number[] = [];
  sizes.forEach((size, wave) => {
    const days = daysPerWave[wave] ?? 1;
    const classCounts = classByWave.map((counts) => counts[wave] ?? 0);
    const dayCounts = apportion(
      classCounts,
      evenSplit(size, days),
      classCounts.map((count) => (count >= days ? 1 : 0)),
    );
    const perDay: FleetServer[][][] = Array.from({ length: days }, () => []);
    classWaveLists.forEach((waves, classIndex) => {
      const list = waves[wave] ?? [];
      let offset = 0;
      (dayCounts[classIndex] ?? []).forEach((count, day) => {
        perDay[day]?.push(list.slice(offset, offset + count));
        offset += count;
      });
    });
    for (const classLists of perDay) {
      slots.push(fairInterleave(classLists));
      waveOfSlot.push(wave);
    }
  });
  return { slots, waveOfSlot };
}

/** One class's servers dealt across waves (`countsPerWave`), each wave's share interleaved by stratum. */
function spreadAcrossStrata(
  servers: readonly FleetServer[],
  countsPerWave: readonly number[],
): FleetServer[][] {
  const strata = new Map<string, FleetServer[]>();
  for (const server of servers) {
    const members = strata.get(server.substratum) ?? [];
    members.push(server);
    strata.set(server.substratum, members);
  }
  const ordered = [...strata.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([, members]) => members.sort(byStableHash));
  const stratumByWave = apportion(
    ordered.map((members) => members.length),
    countsPerWave,
    ordered.map(() => 0),
  );
  const offsets = ordered.map(() => 0);
  return countsPerWave.map((_, wave) =>
    fairInterleave(
      ordered.map((members, stratum) => {
        const count = stratumByWave[stratum]?.[wave] ?? 0;
        const start = offsets[stratum] ?? 0;
        offsets[stratum] = start + count;
        return members.slice(start, start + count);
      }),
    ),
  );
}
