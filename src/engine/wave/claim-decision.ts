import { allowedFailures, failureBudgetExceeded } from './failure-budget.js';
import {
  blockedForever,
  nextServer,
  type SchedulableServer,
  type SchedulerLimits,
} from './wave-scheduler.js';

/**
 * Which server a runner of a shared wave claims next. Pure: the state store calls it inside its
 * claim transaction with every runner's claims read from its rows, so the wave's limits (the
 * scheduler's own rules, wave-scheduler.ts) hold across all runners together, not per process.
 *
 * In order: a server of this runner's share whose claim is held by a runner that is gone (its
 * lease expired or was removed) is taken over first, whatever the limits say, because it is
 * already in flight (a window may be open) and only a resume can finish it; then, unless the
 * failure budget is exceeded across the whole wave, the scheduler picks among this runner's
 * unclaimed servers with every runner's servers in flight.
 */

/** What a claim row says about a server of the wave. */
export type ClaimState = 'running' | 'succeeded' | 'failed' | 'released';

export interface ClaimRow {
  readonly server: string;
  readonly runner: string;
  readonly token: number;
  readonly state: ClaimState;
  /** Whether the runner that holds it still holds its lease with this token (the store's clock). */
  readonly holderLive: boolean;
}

/** What a runner asks the store for: its share of the wave and the rules the store decides by. */
export interface ClaimRequest<S extends SchedulableServer> {
  /** The servers this runner may claim (its `--only` share of the servers due), in plan order. */
  readonly candidates: readonly S[];
  /** Every server of the wave, to know a cluster's members. */
  readonly wave: readonly S[];
  /** Outcomes the journal held before claims were kept (a resume of an older run). */
  readonly earlierFinished: ReadonlyMap<string, 'succeeded' | 'failed'>;
  readonly limits: SchedulerLimits;
  readonly failureBudget: number | string;
  /** Servers in the whole wave, for a percentage budget. */
  readonly waveSize: number;
}

/** The request, with the store's side: every runner's claims and this runner's token. */
export interface ClaimInput<S extends SchedulableServer> extends ClaimRequest<S> {
  /** This runner's fencing token: a claim with another token and no live holder is taken over. */
  readonly token: number;
  readonly claims: readonly ClaimRow[];
}

export type ClaimDecision<S> =
  /** A server nobody runs: this runner starts it. `resume`: a runner before it had released it mid-way. */
  | { readonly kind: 'claim'; readonly server: S; readonly resume: boolean }
  /** A server whose runner is gone: this runner resumes it through the probes. */
  | { readonly kind: 'take-over'; readonly server: S; readonly from: ClaimRow }
  /** Nothing may start now, but something of this runner's share may later: ask again. */
  | { readonly kind: 'wait' }
  /** Nothing of this runner's share is left to claim or to wait for. */
  | { readonly kind: 'done' }
  /** The failure budget is exceeded across all runners: no new server starts anywhere. */
  | { readonly kind: 'halt'; readonly reason: string };

export function decideClaim<S extends SchedulableServer>(input: ClaimInput<S>): ClaimDecision<S> {
  const claimOf = new Map(input.claims.map((claim) => [claim.server, claim]));
  for (const candidate of input.candidates) {
    const claim = claimOf.get(candidate.name);
    if (claim?.state === 'running' && !claim.holderLive && claim.token !== input.token)
      return { kind: 'take-over', server: candidate, from: claim };
  }

  const finished = new Map(input.earlierFinished);
  for (const claim of input.claims) {
    if (claim.state === 'succeeded' || claim.state === 'failed') finished.set(claim.server, claim.state);
  }
  const failures = [...finished.values()].filter((state) => state === 'failed').length;
  if (failureBudgetExceeded(failures, input.failureBudget, input.waveSize)) {
    return {
      kind: 'halt',
      reason: `failure budget exceeded across the wave's runners: ${failures} failed, the campaign allows ${allowedFailures(input.failureBudget, input.waveSize)} (failureBudget ${input.failureBudget}); no new server starts`,
    };
  }

  const running = (name: string): boolean => claimOf.get(name)?.state === 'running';
  const inFlight = input.wave.filter((server) => running(server.name));
  const pending = input.candidates.filter((server) => !finished.has(server.name) && !running(server.name));
  const state = { pending, inFlight, finished, wave: input.wave, direction: 'upgrade' as const };
  const next = nextServer(state, input.limits);
  if (next !== undefined)
    return { kind: 'claim', server: next, resume: claimOf.get(next.name)?.state === 'released' };

  // A server of this share still running (here or with another runner, which may be released or
  // die) keeps this runner waiting until it is settled, so that it can be taken over.
  const stillRunning = input.candidates.some((server) => running(server.name));
  const blocked = new Set(blockedForever({ ...state, inFlight: [] }).map((entry) => entry.server));
  const startable = pending.filter((server) => !blocked.has(server.name));
  return stillRunning || startable.length > 0 ? { kind: 'wait' } : { kind: 'done' };
}
