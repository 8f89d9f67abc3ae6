/**
 * Whether this run may still write the campaign's journal. Checked before every append, so a run
 * that lost its lock (removed by `unlock --force`, taken over while it was paused) stops before
 * its next side effect instead of writing beside another run.
 */
export interface JournalFence {
  /** Resolves while this run holds the campaign; rejects with why it no longer does. */
  assertHeld(): Promise<void>;
}
