import type { HandoffRecord, JournalRecord } from '../engine/journal/journal-record.js';
import type { Clock } from '../engine/ports/clock.js';
import { HandoffAnnouncer } from '../report/handoff-announcer.js';
import { urgentKey, waveEnded } from '../report/status-broadcaster.js';
import type { StatusNotifier } from '../report/status-notifier.js';
import { statusUpdateText } from '../report/status-update.js';
import type { WaveReport } from '../report/wave-report.js';

export interface RunBroadcastOptions {
  readonly notifier: StatusNotifier;
  /** The campaign's `notify.every`. */
  readonly everyMs: number;
  readonly clock: Clock;
  /** The plan's time zone, for the update's clock time. */
  readonly timezone: string;
  /** The wave's report from the journal's records (all of them, in order) at `now`. */
  readonly report: (records: readonly JournalRecord[], now: number) => WaveReport;
  /** The journal before this run (a resumed wave). */
  readonly journalSoFar?: readonly JournalRecord[];
  /**
   * The campaign's hand-offs, read from the store at each interval: an operator records one from
   * anywhere (`dbwave handoff`), outside this run's own records. Oldest first.
   */
  readonly handoffs?: () => Promise<readonly HandoffRecord[]>;
}

/**
 * Only these records can change what needs a person or end the wave: the report is rebuilt on
 * them, not on every progress tick.
 */
function mayBeUrgent(record: JournalRecord): boolean {
  return record.kind === 'outcome' || record.kind === 'alert' || record.kind === 'wave';
}

/**
 * `dbwave run`'s own status broadcast: one update when the journal says the wave started (or
 * resumed), one every `notify.every`,
 * one at once when a durable record changes what needs a person, and a last one when the run
 * ends, so that no second `status --every` process is needed. It sees the records the journal
 * made durable (the same tap as the metrics), so it never announces what the journal does not
 * hold. Deliveries go one after another and never hold up the wave.
 */
export class RunBroadcast {
  private readonly options: RunBroadcastOptions;
  private readonly records: JournalRecord[];
  private readonly stopping = new AbortController();
  private sending: Promise<void> = Promise.resolve();
  private lastUrgent = '';
  private lastSentEnded = false;
  private sentAny = false;
  private loop: Promise<void> | undefined;
  private readonly handoffs: HandoffAnnouncer;

  constructor(options: RunBroadcastOptions) {
    this.options = options;
    this.handoffs = new HandoffAnnouncer(options.everyMs);
    this.records = [...(options.journalSoFar ?? [])];
  }

  /** Starts the interval; the first update goes when the wave's start is in the journal. */
  start(): void {
    this.loop = this.every();
  }

  /** Feeds one durable record, in journal order. */
  observe(record: JournalRecord): void {
    this.records.push(record);
    if (!mayBeUrgent(record)) return;
    const report = this.report();
    const changed = urgentKey({ report }) !== this.lastUrgent;
    if (!this.sentAny || changed || (waveEnded(report) && !this.lastSentEnded)) {
      this.publish(report);
    }
  }

  /** Stops the interval and sends the last update (unless the wave's end was already sent). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.sending;
    if (!this.lastSentEnded) this.publish();
    await this.sending;
  }

  private async every(): Promise<void> {
    const { clock, everyMs } = this.options;
    for (;;) {
      try {
        await clock.sleep(everyMs, this.stopping.signal);
      } catch {
        return;
      }
      // A store that cannot be read now announces the hand-off at the next interval instead.
      const handoffs = (await this.options.handoffs?.().catch(() => undefined)) ?? [];
      this.publish(undefined, this.handoffs.next(handoffs, clock.now()));
    }
  }

  private report(): WaveReport {
    return this.options.report(this.records, this.options.clock.now());
  }

  /** Queues one update; a report that cannot be built is skipped: a view never fails the run. */
  private publish(given?: WaveReport, handoff?: HandoffRecord): void {
    let report: WaveReport;
    try {
      report = given ?? this.report();
    } catch {
      return;
    }
    this.sentAny = true;
    this.lastUrgent = urgentKey({ report });
    this.lastSentEnded = waveEnded(report);
    const text = statusUpdateText(report, this.options.timezone, undefined, handoff);
    this.sending = this.sending
      .then(() => this.options.notifier.publish({ report, text }))
      .catch(() => undefined);
  }
}
