import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/engine/ports/clock.js';
import { RunBroadcast } from '../../../src/observers/run-broadcast.js';
import { buildWaveReport } from '../../../src/report/build-wave-report.js';
import { StatusNotifier } from '../../../src/report/status-notifier.js';
import { type HttpReceiver, startReceiver } from './http-receiver.js';
import { LIMITS, PLANNED_SERVERS, SyntheticJournal } from './synthetic-journal.js';

/** A clock whose sleeps end only when the test says so (or their signal aborts). */
class SteppedClock implements Clock {
  private readonly waiting: (() => void)[] = [];
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.waiting.push(() => {
        this.current += ms;
        resolve();
      });
    });
  }
  /** Ends the oldest sleep. */
  step(): void {
    this.waiting.shift()?.();
  }
}

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('the run’s own broadcast', () => {
  it('posts when the wave starts, once per interval with nothing new, and once when the run stops', async () => {
    const journal = new SyntheticJournal();
    const clock = new SteppedClock(journal.clock);
    const broadcast = new RunBroadcast({
      notifier: new StatusNotifier({
        targets: [{ kind: 'webhook', format: 'slack', url: receiver.url('/hook') }],
        clock,
        warn: () => undefined,
      }),
      everyMs: 1_800_000,
      clock,
      timezone: 'UTC',
      report: (records, now) =>
        buildWaveReport({
          campaign: journal.campaign,
          wave: 1,
          records,
          plannedServers: PLANNED_SERVERS,
          limits: LIMITS,
          now,
        }),
    });
    broadcast.start();
    const texts = async (count: number): Promise<string[]> => {
      for (let tries = 0; tries < 500 && receiver.posts.length < count; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return (receiver.bodies('/hook') as { text: string }[]).map((body) => body.text);
    };
    expect(await texts(0)).toEqual([]);
    broadcast.observe(
      journal.add({ kind: 'wave', wave: 1, event: 'started', servers: ['db-a1', 'db-b1', 'db-c1'] }),
    );
    expect(await texts(1)).toEqual([
      expect.stringContaining('[16:00 UTC] fleet-5158 wave 1 in progress · 0/3 done'),
    ]);
    // A step record changes nothing a person must know: no post until the interval.
    broadcast.observe(
      journal.add({ kind: 'step', wave: 1, server: 'db-a1', step: 'precheck', event: 'started' }),
    );
    clock.step();
    expect((await texts(2))[1]).toContain('[16:30 UTC] fleet-5158 wave 1 in progress');
    await broadcast.stop();
    expect(await texts(3)).toHaveLength(3);
  });
});
