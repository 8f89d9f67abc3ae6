import { describe, expect, it } from 'vitest';
import { decideInconclusive } from '../../../src/gates/inconclusive-decision.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';

describe('deciding an inconclusive verdict', () => {
  it('follows the campaign when nobody is at a terminal', async () => {
    expect(await decideInconclusive('rollback')).toEqual({ action: 'rollback', by: 'campaign' });
    expect(await decideInconclusive('pause')).toEqual({ action: 'pause', by: 'campaign' });
  });

  it('lets the DBA at a terminal choose, whatever the campaign says', async () => {
    expect(await decideInconclusive('pause', async () => 'continue')).toEqual({
      action: 'continue',
      by: 'operator',
    });
  });

  it('falls back to the campaign when the DBA gives no answer', async () => {
    expect(await decideInconclusive('continue', async () => undefined)).toEqual({
      action: 'continue',
      by: 'campaign',
    });
  });

  it('never asks inside the window: the policy decides, and says so', async () => {
    let asked = false;
    const decision = await decideInconclusive(
      'rollback',
      async () => {
        asked = true;
        return 'continue';
      },
      { insideWindow: true },
    );
    expect(decision).toEqual({ action: 'rollback', by: 'campaign', because: 'inside-window' });
    expect(asked).toBe(false);
  });

  it('gives the default answer once the question times out on the clock, and closes the prompt', async () => {
    const clock = new FakeClock();
    const before = clock.now();
    let promptClosed = false;
    const decision = await decideInconclusive(
      'continue',
      (signal) => {
        signal.addEventListener('abort', () => {
          promptClosed = true;
        });
        return new Promise(() => undefined);
      },
      { limit: { timeoutMs: 300_000, answer: 'pause', wait: (ms, signal) => clock.sleep(ms, signal) } },
    );
    expect(decision).toEqual({ action: 'pause', by: 'campaign', because: 'timed-out' });
    expect(clock.now() - before).toBe(300_000);
    expect(promptClosed).toBe(true);
  });

  it("takes the DBA's answer when it comes before the timeout, and stops waiting", async () => {
    let waitStopped = false;
    const decision = await decideInconclusive('pause', async () => 'rollback', {
      limit: {
        timeoutMs: 300_000,
        answer: 'continue',
        // A clock that has not reached the timeout yet: it ends only when the question does.
        wait: (_ms, signal) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              waitStopped = true;
              reject(signal.reason);
            }),
          ),
      },
    });
    expect(decision).toEqual({ action: 'rollback', by: 'operator' });
    expect(waitStopped).toBe(true);
  });
});
