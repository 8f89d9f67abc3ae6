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

/** Whether the wave's soak still has points to take (or to find missed): a broadcast keeps going for them. */
export function soakOpen(report: WaveReport): boolean {
  return (report.soak?.points ?? []).some((point) => point.state !== 'done' && point.state !== 'missed');
}

/** Whether a broadcast has nothing more to wait for: the wave is over and so is its soak. */
export function broadcastOver(report: WaveReport): boolean {
  return waveEnded(report) && !soakOpen(report);
}

/**
 * What is broadcast at once when it changes: the servers that need a person, whether the run is
 * gone, and each soak point taken or missed (a failed soak is news now, not in half an hour).
 * Empty when nothing needs one and no soak point is settled.
 */
export function urgentKey(snapshot: StatusSnapshot): string {
  const servers = serversNeedingPerson(snapshot.report)
    .map((server) => server.name)
    .sort();
  const soak = (snapshot.report.soak?.points ?? [])
    .filter((point) => point.state === 'done' || point.state === 'missed')
    .map((point) => `\u0000soak${point.point}:${point.verdict ?? point.state}`);
  return [...servers, ...(snapshot.runGone === undefined ? [] : ['\u0000run-gone']), ...soak].join(',');
}

/**
 * Broadcasts the wave's status every interval until the wave finishes (or halts) and its soak
 * points are taken or missed, or the signal aborts: one update at once, then one per interval,
 * plus one as soon as what needs a person (a server, the run that is gone) or a soak point
 * changes. Returns the last snapshot it saw.
 */
export async function broadcastStatus(options: StatusBroadcastOptions): Promise<StatusSnapshot> {
  const pollMs = Math.max(1, Math.min(options.pollMs ?? 15_000, options.everyMs));
  let snapshot = await options.snapshot();
  await options.publish(snapshot);
  let lastSentAt = options.clock.now();
  let lastUrgent = urgentKey(snapshot);
  while (!broadcastOver(snapshot.report) && options.signal?.aborted !== true) {
    try {
      await options.clock.sleep(pollMs, options.signal);
    } catch {
      break;
    }
    snapshot = await options.snapshot();
    const urgent = urgentKey(snapshot);
    const due = options.clock.now() - lastSentAt >= options.everyMs;
    // A resolution is news too: PagerDuty's incident closes now, not at the next interval.
    if (due || urgent !== lastUrgent || broadcastOver(snapshot.report)) {
      await options.publish(snapshot);
      lastSentAt = options.clock.now();
    }
    lastUrgent = urgent;
  }
  return snapshot;
}
