import type { Clock } from '../../../../src/engine/ports/clock.js';

/**
 * The one fake clock of the unit tests: sleeps return at once and move time forward, so a
 * one-hour shutdown budget runs in microseconds; it remembers every sleep (unless told not to: the
 * memory bench runs hours of fake polls and must measure the engine, not this list). With several servers
 * in flight time only moves faster, never backwards. Starts at 02:00 UTC on the fake campaign's
 * wave day unless told otherwise.
 */
export class FakeClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(
    private current = Date.parse('2026-11-24T02:00:00Z'),
    private readonly options: { readonly rememberSleeps?: boolean } = {},
  ) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.options.rememberSleeps !== false) this.sleeps.push(ms);
    this.current += Math.max(0, ms);
  }

  /** Moves time on without a sleep: what happens between two of the code's own looks. */
  advance(ms: number): void {
    this.current += ms;
  }
}
