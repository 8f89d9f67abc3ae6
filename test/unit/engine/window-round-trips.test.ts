import { describe, expect, it } from 'vitest';
import type { StepName, StepRecord } from '../../../src/engine/journal/journal-record.js';
import { closesWindow, isRollbackStep, runsInsideWindow, STEPS } from '../../../src/model/step-facts.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');

/** The first window's steps after its opening, up to its closing. */
const INSIDE_THE_WINDOW: readonly StepName[] = STEPS.filter(
  (step) => !isRollbackStep(step) && (runsInsideWindow(step) || closesWindow(step)),
);

function startedDetail(harness: Harness, step: StepName): Record<string, unknown> {
  const record = harness.journal.records.find(
    (candidate): candidate is StepRecord =>
      candidate.kind === 'step' && candidate.step === step && candidate.event === 'started',
  );
  return (record?.detail ?? {}) as Record<string, unknown>;
}

describe('round trips to the host inside the 503 window', () => {
  it('costs each step at most one, the commands of a step going together', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    // The clean exit comes within the host's first watch, right after the stop.
    host.exitAfterPolls = 1;
    expect((await harness.upgrade(db1)).outcome).toBe('Upgraded');
    const trips = (step: StepName) => host.roundTrips.filter((trip) => trip.step === step);
    expect(INSIDE_THE_WINDOW).toContain('upgrade');
    for (const step of INSIDE_THE_WINDOW) expect(trips(step).length, step).toBeLessThanOrEqual(1);
    expect(trips('shutdown').map((trip) => trip.calls)).toEqual([['stop', 'running']]);
    expect(trips('upgrade').map((trip) => trip.calls)).toEqual([['running', 'upgrade', 'installedVersion']]);
    expect(trips('start').map((trip) => trip.calls)).toEqual([['start']]);
    expect(trips('post-upgrade').map((trip) => trip.calls)).toEqual([['postUpgrade']]);
  });

  it("reads the error log's offset before the window opens and journals it before the stop", async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    const sizeBefore = host.errorLogSize();
    await harness.upgrade(db1);
    // window-open's `started` is journaled before the window opens, with what its prepare read.
    expect(startedDetail(harness, 'window-open').errorLogOffset).toBe(sizeBefore);
    expect(startedDetail(harness, 'shutdown').errorLogOffset).toBe(sizeBefore);
    expect(
      host.roundTrips.filter((trip) => trip.step === 'shutdown').flatMap((trip) => trip.calls),
    ).not.toContain('error-log-size');
  });

  it('watches again while a longer shutdown goes on, one round trip a watch', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.exitAfterPolls = 3;
    expect((await harness.upgrade(db1)).outcome).toBe('Upgraded');
    expect(host.roundTrips.filter((trip) => trip.step === 'shutdown').map((trip) => trip.calls)).toEqual([
      ['stop', 'running'],
      ['running-or-error-log'],
      ['running-or-error-log'],
    ]);
  });

  it('never switches the package when the host finds mysqld running in the same round trip', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.exitAfterPolls = 1;
    // Someone starts mysqld again between the clean exit and the switch.
    host.onCommand = (command) => {
      if (command === 'running' && host.roundTrips.at(-1)?.step === 'upgrade') {
        host.running = true;
        host.stopping = false;
      }
    };
    const result = await harness.upgrade(db1);
    expect(host.upgrades).toBe(0);
    expect(host.roundTrips.filter((trip) => trip.step === 'upgrade').map((trip) => trip.calls)).toEqual([
      ['running'],
    ]);
    expect(harness.steps('db1')).toContain('upgrade:failed');
    const failed = harness.journal.records.find(
      (record) => record.kind === 'step' && record.step === 'upgrade' && record.event === 'failed',
    );
    expect(failed?.kind === 'step' ? failed.error?.message : undefined).toMatch(
      /mysqld is running: refusing to upgrade/,
    );
    expect(result.outcome).not.toBe('Upgraded');
  });
});
