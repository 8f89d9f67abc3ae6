import type { HandoffRecord } from '../engine/journal/journal-record.js';
import type { Clock } from '../engine/ports/clock.js';
import { serversNeedingPerson } from './status-update.js';
import type { WaveReport } from './wave-report.js';

/** What the broadcaster looks at each time: the wave's report, and why its run is gone if it is. */
export interface StatusSnapshot {
  readonly report: WaveReport;
  /** See run-liveness.ts; undefined while a run drives the wave (or the wave is not in progress). */
  readonly runGone?: string | undefined;
  /** The campaign's hand-offs, oldest first: the next update announces a new one. */
  readonly handoffs?: readonly HandoffRecord[];
}

export interface StatusBroadcastOptions {
  /** The regular interval between updates (`--every`, 30 minutes by default in the campaign). */
  readonly everyMs: number;
  /**
   * How often the journal is read between updates: a server that starts needing a person, the
   * run going away, or the wave ending, is broadcast at once instead of at the next interval
   * (default 15 s).
   */
  readonly pollMs?: number;
  readonly clock: Clock;
  /** Aborting ends the loop after the current update (SIGINT). */
  readonly signal?: AbortSignal;
  /** Reads the journal (and the lock) and builds the wave's report. */
  readonly snapshot: () => Promise<StatusSnapshot>;
  /** Sends one update (stdout, webhooks); must not throw for a delivery failure. */
  readonly publish: (snapshot: StatusSnapshot) => Promise<void>;
}

/** Whether the wave is over: nothing more will happen without a new run. */
export function waveEnded(report: WaveReport): boolean {
  return report.status === 'finished' || report.status === 'halted';
}

/**
 * What is broadcast at once when it changes: the servers that need a person, and whether the run
 * is gone. Empty when nothing needs one.
 */
export function urgentKey(snapshot: StatusSnapshot): string {
  const servers = serversNeedingPerson(snapshot.report)
    .map((server) => server.name)
    .sort();
  return [...servers, ...(snapshot.runGone === undefined ? [] : ['\u0000run-gone'])].join(',');
}

/**
 * Broadcasts the wave's status every interval until the wave finishes (or halts) or the signal
 * aborts: one update at once, then one per interval, plus one as soon as what needs a person (a
 * server, or the run that is gone) changes. Returns the last snapshot it saw.
 */
export async function broadcastStatus(options: StatusBroadcastOptions): Promise<StatusSnapshot> {
  const pollMs = Math.max(1, Math.min(options.pollMs ?? 15_000, options.everyMs));
  let snapshot = await options.snapshot();
  await options.publish(snapshot);
  let lastSentAt = options.clock.now();
  let lastUrgent = urgentKey(snapshot);
  while (!waveEnded(snapshot.report) && options.signal?.aborted !== true) {
    try {
      await options.clock.sleep(pollMs, options.signal);
    } catch {
      break;
    }
    snapshot = await options.snapshot();
    const urgent = urgentKey(snapshot);
    const due = options.clock.now() - lastSentAt >= options.everyMs;
    // A resolution is news too: PagerDuty's incident closes now, not at the next interval.
    if (due || urgent !== lastUrgent || waveEnded(snapshot.report)) {
      await options.publish(snapshot);
      lastSentAt = options.clock.now();
    }
    lastUrgent = urgent;
  }
  return snapshot;
}
