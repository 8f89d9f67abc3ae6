import type { Clock } from '../../../src/engine/ports/clock.js';

/** A clock whose sleeps pass at once and move time on; it remembers every sleep. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(private time = Date.parse('2011-09-20T16:00:00Z')) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.time += ms;
  }
}
