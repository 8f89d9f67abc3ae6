import type { HandoffRecord } from '../engine/journal/journal-record.js';

/**
 * Which hand-off a broadcast announces: each one once, in the first broadcast after it was
 * recorded. One per broadcasting process (`run`, `status --every`), as the notifier is; a process
 * that starts broadcasting announces only a hand-off recorded within one interval before its
 * first broadcast, so a restarted `status --every` does not announce yesterday's again.
 */
export class HandoffAnnouncer {
  /** The seq of the latest hand-off seen: later ones are news. */
  private seenSeq: number | undefined;

  constructor(private readonly everyMs: number) {}

  /** The hand-off to announce now, if there is news; the journal's hand-offs, oldest first. */
  next(handoffs: readonly HandoffRecord[], now: number): HandoffRecord | undefined {
    const latest = handoffs.at(-1);
    if (latest === undefined) return undefined;
    const first = this.seenSeq === undefined;
    if (!first && latest.seq <= (this.seenSeq ?? 0)) return undefined;
    this.seenSeq = latest.seq;
    if (first && now - Date.parse(latest.at) > this.everyMs) return undefined;
    return latest;
  }
}
