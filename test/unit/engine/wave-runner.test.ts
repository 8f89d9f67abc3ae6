import { describe, expect, it } from 'vitest';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

const names = (count: number) => Array.from({ length: count }, (_, index) => fakeServer(`db${index + 1}`));

/** Window intervals that overlap in the fake load balancer's log. */
function overlapping(log: readonly string[], a: string, b: string): boolean {
  let openA = false;
  let openB = false;
  for (const entry of log) {
    const [action, name] = entry.split(' ');
    if (name === a) openA = action === 'open';
    if (name === b) openB = action === 'open';
    if (openA && openB) return true;
  }
  return false;
}

describe('the wave runner', () => {
  it('upgrades every server and says ok', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 3 } }));
    const result = await harness.wave(names(5));
    expect(result.ok).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual(Array(5).fill('Upgraded'));
    expect(harness.journal.records.at(-1)).toMatchObject({ kind: 'wave', event: 'finished' });
  });

  it('runs servers at the same time when the campaign allows it', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 2 } }));
    await harness.wave(names(2));
    expect(overlapping(harness.fleet.window.log, 'db1', 'db2')).toBe(true);
  });

  it('halts once the failure budget is exceeded and reports the rest NotExecuted', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 0, concurrency: { wave: 1 } }));
    harness.fleet.host('db1').faults.startFailsOnNew = true;
    const result = await harness.wave(names(3));
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => r.outcome)).toEqual(['RolledBack', 'NotExecuted', 'NotExecuted']);
    expect(result.haltedBecause).toMatch(/failure budget exceeded/);
    expect(
      harness.journal.records.some((r) => r.kind === 'alert' && r.alert === 'failure-budget-exceeded'),
    ).toBe(true);
  });

  it('goes on when the failure budget is only reached', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 1 }));
    harness.fleet.host('db1').faults.sshDown = true;
    const result = await harness.wave(names(3));
    expect(result.results.map((r) => r.outcome)).toEqual(['PrecheckFailed', 'Upgraded', 'Upgraded']);
    expect(result.ok).toBe(false);
  });

  it('lets a server in flight finish when another one exhausts the budget', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 0, concurrency: { wave: 2 } }));
    harness.fleet.host('db1').faults.sshDown = true;
    const result = await harness.wave(names(3));
    expect(result.results.map((r) => r.outcome)).toEqual(['PrecheckFailed', 'Upgraded', 'NotExecuted']);
  });

  it('never runs two servers of one cluster at once, and takes replicas before their primary', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 3 } }));
    const servers = [
      fakeServer('p1', { cluster: 'c1', role: 'primary' }),
      fakeServer('r1', { cluster: 'c1', role: 'replica' }),
      fakeServer('r2', { cluster: 'c1', role: 'replica' }),
      fakeServer('x1'),
    ];
    const result = await harness.wave(servers);
    expect(result.ok).toBe(true);
    const log = harness.fleet.window.log;
    expect(overlapping(log, 'r1', 'r2')).toBe(false);
    expect(overlapping(log, 'r1', 'p1')).toBe(false);
    expect(log.indexOf('open p1')).toBeGreaterThan(log.indexOf('close r2'));
    expect(log.indexOf('open p1')).toBeGreaterThan(log.indexOf('close r1'));
  });

  it('keeps a primary back when one of its replicas did not upgrade', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 5 }));
    harness.fleet.host('r1').faults.startFailsOnNew = true;
    const result = await harness.wave([
      fakeServer('r1', { cluster: 'c1', role: 'replica' }),
      fakeServer('p1', { cluster: 'c1', role: 'primary' }),
    ]);
    expect(result.results[1]).toMatchObject({
      outcome: 'NotExecuted',
      reason: expect.stringMatching(/replica r1/),
    });
  });

  it('respects a class concurrency of one', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 3, perClass: 1 } }));
    await harness.wave(names(3));
    expect(overlapping(harness.fleet.window.log, 'db1', 'db2')).toBe(false);
    expect(overlapping(harness.fleet.window.log, 'db2', 'db3')).toBe(false);
  });

  it('finishes a server an interrupted run left mid-upgrade, even in a wave halted since', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 0, concurrency: { wave: 2 } }));
    harness.fleet.host('db1').faults.sshDown = true;
    const controller = new AbortController();
    const db2 = harness.fleet.host('db2');
    db2.onCommand = (command) => {
      if (command === 'upgrade') controller.abort(new Error('SIGINT'));
    };
    const first = await harness.wave(names(3), { signal: controller.signal });
    expect(first.results.map((r) => r.outcome)).toEqual(['PrecheckFailed', 'InProgress', 'NotExecuted']);
    db2.onCommand = undefined;
    const second = await harness.wave(names(3));
    expect(second.results.map((r) => r.outcome)).toEqual(['PrecheckFailed', 'Upgraded', 'NotExecuted']);
    expect(db2.upgrades).toBe(1);
    expect(harness.fleet.window.isOpenNow('db2')).toBe(false);
  });

  it('starts nothing new once the operator asks it to halt', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 1 } }));
    const halt = new AbortController();
    const db1 = harness.fleet.host('db1');
    db1.onCommand = (command) => {
      if (command === 'upgrade') halt.abort();
    };
    const result = await harness.wave(names(2), { halt: halt.signal });
    expect(result.results.map((r) => r.outcome)).toEqual(['Upgraded', 'NotExecuted']);
    expect(result.haltedBecause).toMatch(/operator/);
  });
});
