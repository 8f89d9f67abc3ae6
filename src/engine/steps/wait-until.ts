import { TimeoutError } from '../../core/errors.js';
import type { Clock } from '../ports/clock.js';

export interface WaitOptions<T> {
  /** What is awaited, for the timeout's message: `db-01 to answer SQL`. */
  readonly what: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** From the start of one check to the start of the next: a slow check is not followed by a full pause. */
  readonly intervalMs: number;
  /** Returns the awaited value, or undefined to keep waiting. A throw ends the wait. */
  readonly check: (elapsedMs: number) => Promise<T | undefined>;
  readonly signal?: AbortSignal;
}

/**
 * The one wait helper: polls `check` every `intervalMs` of the injected clock (start to start)
 * until it returns a value, and throws a TimeoutError once `timeoutMs` has passed without one. The check runs at
 * least once, and once more at the deadline, so a slow poll never loses a late success.
 */
export async function waitUntil<T>(options: WaitOptions<T>): Promise<T> {
  const { clock, signal } = options;
  const started = clock.now();
  for (;;) {
    signal?.throwIfAborted();
    const checkStarted = clock.now();
    const elapsed = checkStarted - started;
    const value = await options.check(elapsed);
    if (value !== undefined) return value;
    if (elapsed >= options.timeoutMs) throw new TimeoutError(options.what, elapsed);
    const now = clock.now();
    const left = options.timeoutMs - (now - started);
    const pause = options.intervalMs - (now - checkStarted);
    await clock.sleep(Math.max(0, Math.min(pause, left)), signal);
  }
}
