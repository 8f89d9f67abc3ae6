import { redactUrlsIn } from '../core/redact-url.js';
import type { Clock } from '../engine/ports/clock.js';

/** What one broadcast came to: a failed POST is an outcome, never an exception. */
export interface WebhookResult {
  readonly ok: boolean;
  readonly attempts: number;
  /** Why the last attempt failed (status or error), without the URL: it carries a token. */
  readonly error?: string;
}

export interface WebhookPosterOptions {
  readonly url: string;
  readonly clock: Clock;
  /** Injected for tests; the global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Attempts in all, the first included (default 5). */
  readonly attempts?: number;
  /** Delay before the first retry, doubled each time up to `maxDelayMs` (defaults 1 s and 30 s). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  /** Stops retrying at once (SIGINT). */
  readonly signal?: AbortSignal;
}

/** Statuses worth another try: the receiver is overloaded or briefly broken. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A webhook's host for messages: enough to tell which one, without its path or token. */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the webhook';
  }
}

/** POSTs a Slack-compatible message (`{"text": ...}`) to a webhook: see postJson. */
export function postToWebhook(text: string, options: WebhookPosterOptions): Promise<WebhookResult> {
  return postJson({ text }, options);
}

/**
 * POSTs one JSON body to a webhook, retrying network errors, timeouts, 408, 429 (honouring
 * Retry-After) and 5xx with exponential backoff on the injected clock. Never throws: the wave it
 * reports on must not stop because a chat service is down. The body may hold a secret (a
 * PagerDuty routing key): no message built here quotes it.
 */
export async function postJson(body: unknown, options: WebhookPosterOptions): Promise<WebhookResult> {
  const send = options.fetch ?? fetch;
  const attempts = Math.max(1, options.attempts ?? 5);
  let delay = options.initialDelayMs ?? 1_000;
  let error = 'not sent';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let waitMs = delay;
    try {
      const response = await send(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: attempt };
      error = `HTTP ${response.status}`;
      if (!retryable(response.status)) return { ok: false, attempts: attempt, error };
      const retryAfter = Number(response.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0)
        waitMs = Math.min(retryAfter * 1000, options.maxDelayMs ?? 30_000);
    } catch (cause) {
      const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      // The URL as given becomes its host; any other spelling of it (normalised by the URL
      // parser, or quoted by a nested cause) is still redacted.
      error = redactUrlsIn(message.split(options.url).join(webhookHost(options.url)));
    }
    if (attempt === attempts || options.signal?.aborted) return { ok: false, attempts: attempt, error };
    try {
      await options.clock.sleep(waitMs, options.signal);
    } catch {
      return { ok: false, attempts: attempt, error };
    }
    delay = Math.min(delay * 2, options.maxDelayMs ?? 30_000);
  }
  return { ok: false, attempts, error };
}
