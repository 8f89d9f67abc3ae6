/**
 * Which server of a wave may start next. Pure: the wave runner asks it whenever a slot frees up.
 *
 * Rules, all at once: at most `limits.wave` servers in flight; at most the class's limit per
 * hardware class; never two servers of one replication cluster; and replication only ever flows
 * from an older version to a newer one (or the same). Upgrading, a primary starts only after
 * every replica of its cluster in this wave has succeeded, and not at all when one failed (a
 * replica left on the old version must not replicate from a newer primary). Rolling back, the
 * other way round: a replica goes back only after its cluster's primary has, and not at all
 * when the primary's rollback failed.
 *
 * Among the servers allowed to start, the one whose class expects the longest time goes first
 * (plan order among equals): a long server started last would leave the other slots idle while
 * it finishes, so the wave's wall time stays near servers / concurrency x the mean per-server
 * time. Without expected times (or when they are all equal) the order is the plan's.
 */

/** `upgrade` (dbwave run) or `downgrade` (dbwave rollback): which end of a cluster goes first. */
export type WaveDirection = 'upgrade' | 'downgrade';

export interface SchedulableServer {
  readonly name: string;
  readonly class: string;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
}

export interface SchedulerLimits {
  readonly wave: number;
  /** Per-class limit: the class's own `concurrency`, else the campaign's `perClass`, else none. */
  readonly perClass: (className: string) => number | undefined;
  /** A class's expected time for one server (its `expected` timings), ms; undefined when unknown. */
  readonly expectedMs?: (className: string) => number | undefined;
}

export interface SchedulerState<S extends SchedulableServer> {
  /** Not started yet, in plan order. */
  readonly pending: readonly S[];
  readonly inFlight: readonly S[];
  /** Finished servers of the wave, with whether they succeeded. */
  readonly finished: ReadonlyMap<string, 'succeeded' | 'failed'>;
  /** Every server of the wave (to know a cluster's replicas). */
  readonly wave: readonly S[];
  /** Default `upgrade`. */
  readonly direction?: WaveDirection;
}

export type Blocked = { readonly server: string; readonly reason: string };

/** The pending server allowed to start now that is expected to take longest (plan order among equals), if any. */
export function nextServer<S extends SchedulableServer>(
  state: SchedulerState<S>,
  limits: SchedulerLimits,
): S | undefined {
  if (state.inFlight.length >= limits.wave) return undefined;
  const expectedMs = (server: S): number => limits.expectedMs?.(server.class) ?? 0;
  let chosen: S | undefined;
  for (const candidate of state.pending) {
    if (chosen !== undefined && expectedMs(candidate) <= expectedMs(chosen)) continue;
    if (mayStart(candidate, state, limits)) chosen = candidate;
  }
  return chosen;
}

function mayStart<S extends SchedulableServer>(
  candidate: S,
  state: SchedulerState<S>,
  limits: SchedulerLimits,
): boolean {
  const classLimit = limits.perClass(candidate.class);
  if (classLimit !== undefined) {
    const sameClass = state.inFlight.filter((server) => server.class === candidate.class).length;
    if (sameClass >= classLimit) return false;
  }
  if (candidate.cluster === undefined) return true;
  if (state.inFlight.some((server) => server.cluster === candidate.cluster)) return false;
  return goFirst(candidate, state.wave, state.direction ?? 'upgrade').every(
    (server) => state.finished.get(server.name) === 'succeeded',
  );
}

/**
 * The servers of the candidate's cluster in this wave that must have finished before it starts:
 * upgrading, a primary's replicas; rolling back, a replica's primary. A server of a cluster
 * without a role counts as a replica.
 */
function goFirst<S extends SchedulableServer>(
  candidate: S,
  wave: readonly S[],
  direction: WaveDirection,
): S[] {
  const isPrimary = (server: S): boolean => server.role === 'primary';
  const others = wave.filter(
    (server) => server.cluster === candidate.cluster && server.name !== candidate.name,
  );
  if (direction === 'upgrade')
    return isPrimary(candidate) ? others.filter((server) => !isPrimary(server)) : [];
  return isPrimary(candidate) ? [] : others.filter(isPrimary);
}

/**
 * Pending servers that can never start: upgrading, primaries with a failed replica; rolling
 * back, replicas whose primary failed. The runner reports them `NotExecuted` with this reason.
 */
export function blockedForever<S extends SchedulableServer>(state: SchedulerState<S>): Blocked[] {
  const direction = state.direction ?? 'upgrade';
  const blocked: Blocked[] = [];
  for (const candidate of state.pending) {
    if (candidate.cluster === undefined) continue;
    const failed = goFirst(candidate, state.wave, direction).find(
      (server) => state.finished.get(server.name) === 'failed',
    );
    if (failed === undefined) continue;
    blocked.push({
      server: candidate.name,
      reason:
        direction === 'upgrade'
          ? `its replica ${failed.name} did not upgrade; a primary never goes ahead of its replicas`
          : `its primary ${failed.name} did not roll back; a replica never goes back before its primary (it would replicate from a newer version)`,
    });
  }
  return blocked;
}
