import type { Clock } from '../engine/ports/clock.js';
import { serversNeedingPerson } from './status-update.js';
import type { WaveReport } from './wave-report.js';

export interface StatusBroadcastOptions {
  /** The regular interval between updates (`--every`, 30 minutes by default in the campaign). */
  readonly everyMs: number;
  /**
   * How often the journal is read between updates: a server that starts needing a person, or
   * the wave ending, is broadcast at once instead of at the next interval (default 15 s).
   */
  readonly pollMs?: number;
  readonly clock: Clock;
  /** Aborting ends the loop after the current update (SIGINT). */
  readonly signal?: AbortSignal;
  /** Reads the journal and builds the wave's report. */
  readonly snapshot: () => Promise<WaveReport>;
  /** Sends one update (stdout, webhook); must not throw for a delivery failure. */
  readonly publish: (report: WaveReport) => Promise<void>;
}

function finished(report: WaveReport): boolean {
  return report.status === 'finished' || report.status === 'halted';
}

function personKey(report: WaveReport): string {
  return serversNeedingPerson(report)
    .map((server) => server.name)
    .sort()
    .join(',');
}

/**
 * Broadcasts the wave's status every interval until the wave finishes (or halts) or the signal
 * aborts: one update at once, then one per interval, plus one as soon as something new needs a
 * person. Returns the last report it saw.
 */
export async function broadcastStatus(options: StatusBroadcastOptions): Promise<WaveReport> {
  const pollMs = Math.max(1, Math.min(options.pollMs ?? 15_000, options.everyMs));
  let report = await options.snapshot();
  await options.publish(report);
  let lastSentAt = options.clock.now();
  let lastPerson = personKey(report);
  while (!finished(report) && options.signal?.aborted !== true) {
    try {
      await options.clock.sleep(pollMs, options.signal);
    } catch {
      break;
    }
    report = await options.snapshot();
    const person = personKey(report);
    const due = options.clock.now() - lastSentAt >= options.everyMs;
    const newPerson = person !== lastPerson && person !== '';
    if (due || newPerson || finished(report)) {
      await options.publish(report);
      lastSentAt = options.clock.now();
    }
    lastPerson = person;
  }
  return report;
}
