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
 * class, and a partner moves only when its own cluster stays in order where it lands (or, in a
 * chain, is put back in order at once). So a repaired cluster stays repaired, whatever is swapped
 * after it.
 *
 * For each cluster out of order, the primary's new slot is, from its own onwards, the one that
 * needs the fewest trades (the earliest on a tie) for the primary to trade in and every replica
 * still later to trade back into that slot or an earlier one; so a primary usually just moves to
 * its latest replica's day, one trade. Partners are chosen in the same md layout and datacenter
 * first, then by hash. When no trade works and the primary is only a day early inside its own
 * wave, it moves to its latest replica's day on its own. When neither works, a chain of two
 * trades that upsets one other cluster and puts it back in order is tried (see repairByChain).
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
  /** Every change made, in order, with how to take it back: a tentative chain may fail. */
  const undoLog: (() => void)[] = [];
  const exchange = (left: FleetServer, right: FleetServer): void => {
    const leftSlot = slot(left);
    const rightSlot = slot(right);
    const leftList = assignment.slots[leftSlot] ?? [];
    const rightList = assignment.slots[rightSlot] ?? [];
    leftList[leftList.indexOf(left)] = right;
    rightList[rightList.indexOf(right)] = left;
    slotOf.set(left, rightSlot);
    slotOf.set(right, leftSlot);
  };
  const swap = (left: FleetServer, right: FleetServer): void => {
    exchange(left, right);
    undoLog.push(() => exchange(left, right));
  };
  const move = (server: FleetServer, target: number): void => {
    const from = slot(server);
    const list = assignment.slots[from] ?? [];
    const index = list.indexOf(server);
    list.splice(index, 1);
    assignment.slots[target]?.push(server);
    slotOf.set(server, target);
    undoLog.push(() => {
      assignment.slots[target]?.pop();
      list.splice(index, 0, server);
      slotOf.set(server, from);
    });
  };
  const undoTo = (mark: number): void => {
    while (undoLog.length > mark) undoLog.pop()?.();
  };
  const inOrder = (cluster: ClusterView): boolean => {
    const primary = cluster.primaries[0];
    return primary === undefined || cluster.replicas.every((replica) => slot(replica) <= slot(primary));
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
   * Of the places that work, the one with the fewest trades wins (the earliest on a tie): a
   * primary with many replicas after it moves to them, rather than pulling each of them back,
   * which would move many servers and flip on the smallest change to the fleet.
   */
  const repair = (primary: FleetServer, cluster: ClusterView): boolean => {
    const from = slot(primary);
    let best: [FleetServer, FleetServer][] | undefined;
    for (let target = from; target < assignment.slots.length; target += 1) {
      // No place beats one trade; and a place costs at least its late replicas (the primary's own
      // trade may be with one of them), so most places are skipped without a search.
      if (best !== undefined && best.length <= 1) break;
      const lateCount = cluster.replicas.filter((replica) => slot(replica) > target).length;
      if (best !== undefined && Math.max(lateCount, target === from ? 0 : 1) >= best.length) continue;
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
      if (best === undefined || swaps.length < best.length) best = swaps;
    }
    if (best === undefined) return false;
    for (const [mover, partner] of best) swap(mover, partner);
    return true;
  };

  /**
   * Puts one cluster in order by trades; failing that, when the primary is only a day early inside
   * its own wave (the days' sizes are only an even split), it moves to its latest replica's day on
   * its own, one day a server longer, another a server shorter.
   */
  const settle = (primary: FleetServer, cluster: ClusterView): boolean => {
    if (repair(primary, cluster)) return true;
    const latest = Math.max(...cluster.replicas.map(slot));
    if (assignment.waveOfSlot[latest] !== assignment.waveOfSlot[slot(primary)]) return false;
    move(primary, latest);
    return true;
  };

  /**
   * When no trade keeps every other cluster in order, one trade may upset a second cluster, as
   * long as both clusters can then be put in order by ordinary trades and every cluster that was
   * in order still is: a chain of two trades, such as a primary trading places with another
   * cluster's primary, which then trades with one of its own replicas. Tried, and taken back when
   * it fails, only after the ordinary repair has failed, so it costs nothing on the common path.
   */
  const repairByChain = (primary: FleetServer, cluster: ClusterView): boolean => {
    const settled = clusters.filter((other) => other !== cluster && inOrder(other));
    const late = cluster.replicas.filter((replica) => slot(replica) > slot(primary));
    // The primary tries later slots, nearest first; a late replica tries its primary's slot and
    // earlier ones, nearest first.
    const tries: [FleetServer, number[]][] = [
      [primary, range(slot(primary) + 1, assignment.slots.length)],
      ...late.map((replica): [FleetServer, number[]] => [replica, range(0, slot(primary) + 1).reverse()]),
    ];
    const fixed = (which: ClusterView | undefined): boolean => {
      const own = which?.primaries[0];
      return which === undefined || own === undefined || inOrder(which) || settle(own, which);
    };
    let attempts = 0;
    for (const [mover, targets] of tries) {
      for (const target of targets) {
        const candidates = (assignment.slots[target] ?? [])
          .filter((candidate) => candidate.classId === mover.classId && candidate.cluster !== cluster.name)
          .sort((left, right) => rank(left, mover) - rank(right, mover));
        for (const candidate of candidates) {
          if (attempts >= MAX_CHAIN_ATTEMPTS) return false;
          attempts += 1;
          const mark = undoLog.length;
          swap(mover, candidate);
          const upset = candidate.cluster === undefined ? undefined : byName.get(candidate.cluster);
          if (fixed(cluster) && fixed(upset) && inOrder(cluster) && settled.every(inOrder)) return true;
          undoTo(mark);
        }
      }
    }
    return false;
  };

  const conflicts: TopologyConflict[] = [];
  for (const cluster of clusters) {
    const primary = cluster.primaries[0];
    if (primary === undefined || cluster.replicas.length === 0) continue;
    if (slot(primary) >= Math.max(...cluster.replicas.map(slot))) continue;
    if (!settle(primary, cluster) && !repairByChain(primary, cluster)) {
      conflicts.push({ cluster: cluster.name, primary });
    }
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

/**
 * Tentative chains tried per cluster before it is reported: bounds the planning time of a fleet
 * whose topology cannot be put in order (each attempt re-runs the ordinary repair).
 */
const MAX_CHAIN_ATTEMPTS = 256;

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, index) => from + index);
}

function rank(candidate: FleetServer, like: FleetServer): number {
  // Same stratum first; inside a preference level, the lowest hash (names differ, so ties are rare
  // and broken by list order, which is deterministic too).
  return (candidate.substratum === like.substratum ? 0 : 2 ** 32) + candidate.hash;
}
