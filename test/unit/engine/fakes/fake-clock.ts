import type { Clock } from '../../../../src/engine/ports/clock.js';

/**
 * A clock whose sleeps return at once and move time forward: a one-hour shutdown budget runs in
 * microseconds. With several servers in flight time only moves faster, never backwards.
 */
export class FakeClock implements Clock {
  constructor(private current = Date.parse('2026-11-24T02:00:00Z')) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.current += Math.max(0, ms);
    await Promise.resolve();
    signal?.throwIfAborted();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
