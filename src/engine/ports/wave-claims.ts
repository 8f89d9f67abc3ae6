import type { JournalRecord } from '../journal/journal-record.js';
import type { ClaimRequest, ClaimState } from '../wave/claim-decision.js';
import type { SchedulableServer } from '../wave/wave-scheduler.js';

export type { ClaimRequest };

export type WaveClaim<S> =
  | {
      readonly kind: 'claimed';
      readonly server: S;
      /**
       * The journal as it is now, when another runner touched the server before (a take-over, a
       * released server): the resume starts from it. Undefined: the runner's own history holds.
       */
      readonly journal?: readonly JournalRecord[];
      /** A take-over: whose claim it was, as an alert names it. */
      readonly tookOverFrom?: string;
    }
  | { readonly kind: 'wait' }
  | { readonly kind: 'done' }
  | { readonly kind: 'halt'; readonly reason: string };

/**
 * A wave shared by several runners (the MySQL store): each server is claimed through the store,
 * one transaction per claim, and the wave's limits are decided there from every runner's claims
 * (claim-decision.ts). Without it the wave runner schedules alone, as with the file store.
 */
export interface WaveClaims {
  /** One claim transaction: the next server for this runner, or why there is none now. */
  claim<S extends SchedulableServer>(request: ClaimRequest<S>): Promise<WaveClaim<S>>;
  /** Records how a claimed server ended (fenced: a runner that lost its lease cannot). */
  settle(server: string, state: Exclude<ClaimState, 'running'>): Promise<void>;
  /**
   * True for one runner only: the first to ask once none of the wave's claims runs and every
   * server named has settled since the wave's last claim. That runner journals the wave finished.
   */
  finishWave(servers: readonly string[]): Promise<boolean>;
  /** How long a runner told to wait waits before it asks again, ms. */
  readonly retryMs: number;
}
