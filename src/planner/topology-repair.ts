import { type ClusterView, clustersOf, type FleetServer } from './fleet-view.js';
import type { SlotAssignment } from './stratified-assignment.js';

/** A cluster whose primary could not be placed at or after its replicas. */
export interface TopologyConflict {
  readonly cluster: string;
  readonly primary: FleetServer;
}

/**
 * Moves servers so that every primary's slot (day) is at or after each of its replicas' slots,
 * keeping every count the allocation decided: a move is always a swap with a server of the same
 * class, and a partner moves only when its own cluster stays in order where it lands. So a
 * repaired cluster stays repaired, whatever is swapped after it.
 *
 * For each cluster out of order, the primary's new slot is the earliest, from its own onwards,
 * where it can trade in and every replica still later can trade back into that slot or an
 * earlier one; so a primary usually just moves to its latest replica's day. Partners are chosen
 * in the same md layout and datacenter first, then by hash. When no trade works and the primary
 * is only a day early inside its own wave, it moves to its latest replica's day on its own.
 *
 * @returns the clusters no swap could repair (the planner reports them as errors).
 */
export function repairTopology(assignment: SlotAssignment): TopologyConflict[] {
  const slotOf = new Map<FleetServer, number>();
  assignment.slots.forEach((servers, slot) => {
    for (const server of servers) slotOf.set(server, slot);
  });
  const clusters = clustersOf(assignment.slots.flat());
  const byName = new Map(clusters.map((cluster) => [cluster.name, cluster]));
  const slot = (server: FleetServer): number => slotOf.get(server) ?? 0;

  /** Whether `server` keeps its own cluster in order when it lands in `target`. */
  const mayLand = (server: FleetServer, target: number): boolean => {
    const cluster = server.cluster === undefined ? undefined : byName.get(server.cluster);
    if (cluster === undefined) return true;
    if (server.role === 'primary') return cluster.replicas.every((replica) => slot(replica) <= target);
    if (server.role === 'replica') return cluster.primaries.every((primary) => slot(primary) >= target);
    return true;
  };
  const swap = (left: FleetServer, right: FleetServer): void => {
    const leftSlot = slot(left);
    const rightSlot = slot(right);
    const leftList = assignment.slots[leftSlot] ?? [];
    const rightList = assignment.slots[rightSlot] ?? [];
    leftList[leftList.indexOf(left)] = right;
    rightList[rightList.indexOf(right)] = left;
    slotOf.set(left, rightSlot);
    slotOf.set(right, leftSlot);
  };
  const move = (server: FleetServer, target: number): void => {
    const list = assignment.slots[slot(server)] ?? [];
    list.splice(list.indexOf(server), 1);
    assignment.slots[target]?.push(server);
    slotOf.set(server, target);
  };
  /**
   * A same-class partner for `mover` in `target` that may land in `mover`'s slot, not in `taken`.
   * Of the cluster under repair, only a replica may trade with its primary (it lands earlier).
   */
  const partnerIn = (
    target: number,
    mover: FleetServer,
    cluster: ClusterView,
    taken: ReadonlySet<FleetServer>,
  ): FleetServer | undefined => {
    const origin = slot(mover);
    let best: FleetServer | undefined;
    for (const candidate of assignment.slots[target] ?? []) {
      if (candidate.classId !== mover.classId || candidate === mover || taken.has(candidate)) continue;
      const lands =
        candidate.cluster === cluster.name
          ? mover.role === 'primary' && candidate.role === 'replica'
          : mayLand(candidate, origin);
      if (lands && (best === undefined || rank(candidate, mover) < rank(best, mover))) best = candidate;
    }
    return best;
  };

  /**
   * Tries each slot from the primary's own onwards as its place: the primary trades into it (if it
   * is not already there), and every replica still later trades back into it or an earlier slot.
   */
  const repair = (primary: FleetServer, cluster: ClusterView): boolean => {
    const from = slot(primary);
    for (let target = from; target < assignment.slots.length; target += 1) {
      const taken = new Set<FleetServer>();
      const swaps: [FleetServer, FleetServer][] = [];
      if (target !== from) {
        const partner = partnerIn(target, primary, cluster, taken);
        if (partner === undefined) continue;
        taken.add(partner);
        swaps.push([primary, partner]);
      }
      const late = cluster.replicas.filter((replica) => !taken.has(replica) && slot(replica) > target);
      let complete = true;
      for (const replica of late) {
        let partner: FleetServer | undefined;
        for (let back = target; back >= 0 && partner === undefined; back -= 1) {
          partner = partnerIn(back, replica, cluster, taken);
        }
        if (partner === undefined) {
          complete = false;
          break;
        }
        taken.add(partner);
        swaps.push([replica, partner]);
      }
      if (!complete) continue;
      for (const [mover, partner] of swaps) swap(mover, partner);
      return true;
    }
    return false;
  };

  const conflicts: TopologyConflict[] = [];
  for (const cluster of clusters) {
    const primary = cluster.primaries[0];
    if (primary === undefined || cluster.replicas.length === 0) continue;
    if (slot(primary) >= Math.max(...cluster.replicas.map(slot))) continue;
    if (repair(primary, cluster)) continue;
    // Inside one wave the days' sizes are only an even split: the primary may simply move to its
    // latest replica's day, one day a server longer, another a server shorter.
    const latest = Math.max(...cluster.replicas.map(slot));
    if (assignment.waveOfSlot[latest] === assignment.waveOfSlot[slot(primary)]) move(primary, latest);
    else conflicts.push({ cluster: cluster.name, primary });
  }
  // Trades decided together are checked one by one above; make sure they held together too.
  for (const cluster of clusters) {
    const primary = cluster.primaries[0];
    if (primary === undefined || conflicts.some((conflict) => conflict.cluster === cluster.name)) continue;
    if (cluster.replicas.some((replica) => slot(replica) > slot(primary))) {
      conflicts.push({ cluster: cluster.name, primary });
    }
  }
  return conflicts;
}

function rank(candidate: FleetServer, like: FleetServer): number {
  // Same stratum first; inside a preference level, the lowest hash (names differ, so ties are rare
  // and broken by list order, which is deterministic too).
  return (candidate.substratum === like.substratum ? 0 : 2 ** 32) + candidate.hash;
}
