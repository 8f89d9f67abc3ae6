import { describe, expect, it } from 'vitest';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { FROM, TO } from './fakes/fake-versions.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');

/** Port calls (commands, queries, window calls, journal appends) a run makes until it is done. */
async function callsOfAGoodRun(build: () => Harness): Promise<number> {
  const harness = build();
  harness.journal.beforeAppend = () => harness.fleet.crash.tick();
  await harness.upgrade(db1);
  return harness.fleet.crash.calls;
}

/**
 * Kills dbwave after `calls` port calls (nothing after that point reaches a server, a window or
 * the journal, as with SIGKILL), then runs the server again on the same fleet and journal.
 */
async function killAndResume(build: () => Harness, calls: number): Promise<Harness> {
  const harness = build();
  harness.journal.beforeAppend = () => harness.fleet.crash.tick();
  harness.fleet.crash.crashAfter = calls;
  await harness.upgrade(db1).catch(() => undefined);
  harness.fleet.crash.crashAfter = Number.POSITIVE_INFINITY;
  const resumed = await harness.upgrade(db1);
  (harness as Harness & { resumedOutcome?: string }).resumedOutcome = resumed.outcome;
  return harness;
}

describe('resuming after dbwave was killed', () => {
  const healthy = (): Harness => new Harness();

  it('upgrades exactly once and leaves the window closed, wherever the kill landed', async () => {
    const total = await callsOfAGoodRun(healthy);
    expect(total).toBeGreaterThan(30);
    for (let calls = 0; calls <= total; calls++) {
      const harness = await killAndResume(healthy, calls);
      const host = harness.fleet.host('db1');
      const where = `killed after ${calls} of ${total} calls; journal ${harness.steps('db1').join(' ')}`;
      expect((harness as Harness & { resumedOutcome?: string }).resumedOutcome, where).toBe('Upgraded');
      expect(host.upgrades, where).toBe(1);
      expect(host.runningVersion, where).toBe(TO);
      expect(harness.fleet.window.isOpenNow('db1'), where).toBe(false);
      expect(host.maxDirtyPagesPct, where).toBe(90);
    }
  });

  it.each([
    [
      'a new version that does not start',
      (harness: Harness) => {
        harness.fleet.host('db1').faults.startFailsOnNew = true;
      },
      'RolledBack',
      1,
    ],
    [
      'a failed analysis gate (second window)',
      (harness: Harness) => {
        harness.hooks = { analysisGates: async () => ({ verdict: 'fail', reason: 'rates halved' }) };
      },
      'RolledBack',
      1,
    ],
    [
      'an unclean shutdown',
      (harness: Harness) => {
        harness.fleet.host('db1').faults.uncleanShutdown = true;
      },
      'NeedsPerson',
      0,
    ],
  ] as const)(
    'after %s, ends the same way wherever the kill landed',
    async (_name, fault, outcome, upgrades) => {
      const failing = (): Harness => {
        const harness = new Harness();
        fault(harness);
        return harness;
      };
      const total = await callsOfAGoodRun(failing);
      for (let calls = 0; calls <= total; calls++) {
        const harness = await killAndResume(failing, calls);
        const host = harness.fleet.host('db1');
        const where = `killed after ${calls} of ${total} calls; journal ${harness.steps('db1').join(' ')}`;
        expect((harness as Harness & { resumedOutcome?: string }).resumedOutcome, where).toBe(outcome);
        expect(host.upgrades, where).toBe(upgrades);
        expect(host.installed, where).toBe(FROM);
        expect(host.running, where).toBe(true);
        expect(host.runningVersion, where).toBe(FROM);
        expect(harness.fleet.window.isOpenNow('db1'), where).toBe(false);
      }
    },
  );

  it('does not touch a server whose journal holds a final outcome', async () => {
    const harness = new Harness(fakeCampaign());
    const first = await harness.wave([db1]);
    expect(first.results[0]?.outcome).toBe('Upgraded');
    const callsBefore = harness.fleet.host('db1').calls.length;
    const again = await harness.wave([db1]);
    expect(again.results[0]).toMatchObject({ outcome: 'Upgraded', fromEarlierRun: true });
    expect(harness.fleet.host('db1').calls.length).toBe(callsBefore);
  });
});
