import type { FleetManifest, FleetServer } from '../fleet/manifest.js';

/**
 * The 503 window as a server's users see it: an HTTP poller on its shard, through every HAProxy
 * of the fleet, each URL polled every POLL_MS (start to start; a slow answer delays only its own
 * URL's next request). The window is from the first request answered 503 to the first request
 * after it answered otherwise, by when each was sent: the same measure for dbwave and for the
 * plain script, whatever either says about itself.
 */

const POLL_MS = 50;

interface Answer {
  readonly sentAt: number;
  readonly status: number;
}

export interface UsersSideWindow {
  /** First 503 -> first answer that was not a 503 after it, ms; undefined without a 503. */
  readonly windowMs: number | undefined;
  readonly requests: number;
  /** Requests that got no HTTP answer at all (a user would see an error too). */
  readonly errors: number;
}

/** The shard's URL on every HAProxy of the fleet. */
export function shardUrls(fleet: FleetManifest, server: FleetServer): string[] {
  const path = new URL(server.url).pathname;
  return fleet.haproxyInstances.map((instance) => new URL(path, instance.url).toString());
}

/** Starts polling; `stop()` ends it and measures what the users saw meanwhile. */
export function watchUsersSide(urls: readonly string[]): { stop: () => Promise<UsersSideWindow> } {
  let polling = true;
  const answers: Answer[] = [];
  let errors = 0;
  const pollOne = async (url: string): Promise<void> => {
    while (polling) {
      const sentAt = performance.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        answers.push({ sentAt, status: response.status });
      } catch {
        errors += 1;
      }
      const wait = POLL_MS - (performance.now() - sentAt);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const pollers = urls.map((url) => pollOne(url));
  return {
    stop: async () => {
      polling = false;
      await Promise.all(pollers);
      return { windowMs: windowOf(answers), requests: answers.length, errors };
    },
  };
}

/** First 503 -> first non-503 sent after the last 503, over every URL's answers together. */
export function windowOf(answers: readonly Answer[]): number | undefined {
  const bySent = [...answers].sort((a, b) => a.sentAt - b.sentAt);
  const first = bySent.find((answer) => answer.status === 503);
  const last = bySent.findLast((answer) => answer.status === 503);
  if (first === undefined || last === undefined) return undefined;
  const servedAgain = bySent.find((answer) => answer.sentAt > last.sentAt && answer.status !== 503);
  return (servedAgain?.sentAt ?? last.sentAt) - first.sentAt;
}
