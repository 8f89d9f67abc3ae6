import type { Clock } from '../engine/ports/clock.js';
import type { WebhookFormat } from '../model/campaign-schema.js';
import { type Attention, type AttentionChanges, attentionChanges, attentionNeeded } from './attention.js';
import { chatPayload } from './chat-payload.js';
import { type PagerDutySeverity, pagerDutyEvent } from './pagerduty-event.js';
import { attentionEvent, statusUpdateEvent } from './status-event.js';
import { serversNeedingPerson } from './status-update.js';
import type { WaveReport } from './wave-report.js';
import { postJson, type WebhookPosterOptions, type WebhookResult, webhookHost } from './webhook-poster.js';

/** Where broadcasts go: a webhook in one of its formats, or PagerDuty's Events API v2. */
export type NotifyTarget =
  | { readonly kind: 'webhook'; readonly format: WebhookFormat; readonly url: string }
  | {
      readonly kind: 'pagerduty';
      readonly eventsUrl: string;
      readonly routingKey: string;
      readonly severity: PagerDutySeverity;
    };

/** One broadcast: the wave's report, its chat line, and why the run is gone if it is. */
export interface StatusBroadcast {
  readonly report: WaveReport;
  readonly text: string;
  readonly runGone?: string | undefined;
}

export interface StatusNotifierOptions {
  readonly targets: readonly NotifyTarget[];
  readonly clock: Clock;
  /** A delivery that still failed after its retries: one line for stderr, naming only a host. */
  readonly warn: (message: string) => void;
  /** Injected for tests; the global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Stops retrying at once (SIGINT). */
  readonly signal?: AbortSignal;
  /** Attempts per POST (default: the poster's). */
  readonly attempts?: number;
}

/**
 * Sends each broadcast to every target in its format: the chat line to chat webhooks, a
 * `status` event (plus `needs-person` and `resolved` events) to JSON streams, and a PagerDuty
 * `trigger` per server that newly needs a person and a `resolve` per server that no longer
 * does. It remembers what the previous broadcast raised, so it is one per broadcasting process.
 * Never throws: a receiver that is down is a warning, and the wave goes on.
 */
export class StatusNotifier {
  private readonly options: StatusNotifierOptions;
  private previous: Attention[] | undefined;

  constructor(options: StatusNotifierOptions) {
    this.options = options;
  }

  /** Whether there is anywhere to send to. */
  get active(): boolean {
    return this.options.targets.length > 0;
  }

  async publish(update: StatusBroadcast): Promise<void> {
    const current = attentionNeeded(update.report, update.runGone);
    const changes = attentionChanges(this.previous, current);
    this.previous = current;
    await Promise.all(this.options.targets.map((target) => this.deliver(target, update, changes)));
  }

  private async deliver(
    target: NotifyTarget,
    update: StatusBroadcast,
    changes: AttentionChanges,
  ): Promise<void> {
    const url = target.kind === 'webhook' ? target.url : target.eventsUrl;
    for (const body of bodiesFor(target, update, changes)) {
      const result = await postJson(body, this.posterOptions(url));
      if (!result.ok) {
        this.warnUndelivered(url, result);
        return;
      }
    }
  }

  private posterOptions(url: string): WebhookPosterOptions {
    return {
      url,
      clock: this.options.clock,
      ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
      ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
      ...(this.options.attempts === undefined ? {} : { attempts: this.options.attempts }),
    };
  }

  private warnUndelivered(url: string, result: WebhookResult): void {
    this.options.warn(
      `status not delivered to ${webhookHost(url)} after ${result.attempts} attempts (${result.error}); the wave goes on`,
    );
  }
}

/** The bodies one target gets for one broadcast, in the order they are sent. */
function bodiesFor(target: NotifyTarget, update: StatusBroadcast, changes: AttentionChanges): unknown[] {
  const { report, text, runGone } = update;
  if (target.kind === 'pagerduty') {
    const options = { routingKey: target.routingKey, severity: target.severity, text };
    return [
      ...changes.raised.map((attention) => pagerDutyEvent('trigger', attention, options)),
      ...changes.resolved.map((attention) => pagerDutyEvent('resolve', attention, options)),
    ];
  }
  if (target.format === 'json') {
    return [
      statusUpdateEvent(report, text, runGone),
      ...changes.raised.map((attention) => attentionEvent('needs-person', attention, report.generatedAt)),
      ...changes.resolved.map((attention) => attentionEvent('resolved', attention, report.generatedAt)),
    ];
  }
  const urgent =
    runGone !== undefined || report.status === 'halted' || serversNeedingPerson(report).length > 0;
  return [chatPayload(target.format, { title: `${report.campaign} wave ${report.wave}`, text, urgent })];
}
