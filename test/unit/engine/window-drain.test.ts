import { describe, expect, it } from 'vitest';
import type { AlertRecord, StepRecord } from '../../../src/engine/journal/journal-record.js';
import { STEP_DETAIL_SCHEMAS, type StepDetail } from '../../../src/engine/journal/step-detail.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { fakeDrain } from './fakes/fake-window.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');

/** What the window's opening journaled (its drain), read through the journal's own schema. */
function windowOpened(harness: Harness): StepDetail<'window-open'> | undefined {
  const record = harness.journal.records.find(
    (candidate): candidate is StepRecord =>
      candidate.kind === 'step' && candidate.step === 'window-open' && candidate.event === 'succeeded',
  );
  return record === undefined ? undefined : STEP_DETAIL_SCHEMAS['window-open'].parse(record.detail ?? {});
}

function alerts(harness: Harness): AlertRecord[] {
  return harness.journal.records.filter((record): record is AlertRecord => record.kind === 'alert');
}

describe('draining before the window opens', () => {
  it('stops new sessions first and goes to maint only once the last session has ended', async () => {
    const harness = new Harness();
    const window = harness.fleet.window;
    window.drain = fakeDrain(window, () => harness.clock.now(), {
      timeoutMs: 60_000,
      lastsMs: 12_000,
      sessions: 3,
    });
    const result = await harness.upgrade(db1);

    expect(result.outcome).toBe('Upgraded');
    expect(window.log.slice(0, 2)).toEqual(['drain db1', 'open db1']);
    const detail = windowOpened(harness);
    expect(detail).toMatchObject({ drainTimedOut: false, sessionsLeft: 0 });
    // Polled every 20 ms: the first poll that sees no session is at 12 s.
    expect(detail?.drainMs).toBe(12_000);
    expect(alerts(harness).filter((alert) => /draining/.test(alert.message))).toEqual([]);
  });

  it('goes to maint anyway when the drain times out, and journals and alerts the sessions left', async () => {
    const harness = new Harness();
    const window = harness.fleet.window;
    window.drain = fakeDrain(window, () => harness.clock.now(), {
      timeoutMs: 30_000,
      lastsMs: Number.POSITIVE_INFINITY,
      sessions: 2,
    });
    const result = await harness.upgrade(db1);

    expect(result.outcome).toBe('Upgraded');
    expect(window.log.slice(0, 2)).toEqual(['drain db1', 'open db1']);
    expect(windowOpened(harness)).toMatchObject({
      drainTimedOut: true,
      sessionsLeft: 2,
      drainMs: 30_000,
    });
    expect(alerts(harness).map((alert) => alert.message)).toContainEqual(
      expect.stringMatching(
        /draining for 30s \(maintenance\.drainTimeout\) left 2 session\(s\) open: the window opens anyway/,
      ),
    );
  });

  it('opens at once, without a drain, for an adapter that cannot drain', async () => {
    const harness = new Harness();
    await harness.upgrade(db1);
    expect(harness.fleet.window.log[0]).toBe('open db1');
    expect(windowOpened(harness)).not.toHaveProperty('drainMs');
  });

  it('fails the precheck, before any window opens, when the window could not be opened', async () => {
    const harness = new Harness();
    harness.fleet.window.precheckError = new Error('runtime API /run/haproxy-b.sock: connect ENOENT');
    const result = await harness.upgrade(db1);

    expect(result.outcome).toBe('PrecheckFailed');
    expect(result.reason).toMatch(
      /the 503 window could not be opened: runtime API \/run\/haproxy-b\.sock: connect ENOENT/,
    );
    expect(harness.fleet.window.opens).toBe(0);
  });
});
