/**
 * Which server of a wave may start next. Pure: the wave runner asks it whenever a slot frees up.
 *
 * Rules, all at once: at most `limits.wave` servers in flight; at most the class's limit per
 * hardware class; never two servers of one replication cluster; a primary only after every
 * replica of its cluster in this wave has finished, and not at all when one of them failed
 * (a replica left on the old version must not replicate from a newer primary).
 */

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
}

export interface SchedulerState<S extends SchedulableServer> {
  /** Not started yet, in plan order. */
  readonly pending: readonly S[];
  readonly inFlight: readonly S[];
  /** Finished servers of the wave, with whether they succeeded. */
  readonly finished: ReadonlyMap<string, 'succeeded' | 'failed'>;
  /** Every server of the wave (to know a cluster's replicas). */
  readonly wave: readonly S[];
}

export type Blocked = { readonly server: string; readonly reason: string };

/** The first pending server (plan order) allowed to start now, if any. */
export function nextServer<S extends SchedulableServer>(
  state: SchedulerState<S>,
  limits: SchedulerLimits,
): S | undefined {
  if (state.inFlight.length >= limits.wave) return undefined;
  return state.pending.find((candidate) => mayStart(candidate, state, limits));
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
  if (candidate.role === 'primary') {
    return replicasOf(candidate, state.wave).every(
      (replica) => state.finished.get(replica.name) === 'succeeded',
    );
  }
  return true;
}

function replicasOf<S extends SchedulableServer>(primary: S, wave: readonly S[]): S[] {
  return wave.filter(
    (server) =>
      server.cluster === primary.cluster && server.role !== 'primary' && server.name !== primary.name,
  );
}

/**
 * Pending servers that can never start: primaries with a failed replica. The runner reports them
 * `NotExecuted` with this reason.
 */
export function blockedForever<S extends SchedulableServer>(state: SchedulerState<S>): Blocked[] {
  const blocked: Blocked[] = [];
  for (const candidate of state.pending) {
    if (candidate.role !== 'primary' || candidate.cluster === undefined) continue;
    const failed = replicasOf(candidate, state.wave).find(
      (replica) => state.finished.get(replica.name) === 'failed',
    );
    if (failed) {
      blocked.push({
        server: candidate.name,
        reason: `its replica ${failed.name} did not upgrade; a primary never goes ahead of its replicas`,
      });
    }
  }
  return blocked;
}
