import { describe, expect, it } from 'vitest';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';
import { MemoryClaimTable } from './fakes/memory-wave-claims.js';

/**
 * Two runners of one wave through shared claims (the MySQL store's rules, in memory): the wave's
 * limits hold across both, each server runs once, a gone runner's server is taken over by a
 * resume, and the wave is finished once, by whichever runner saw it settled.
 */

const wave: ResolvedServer[] = [
  fakeServer('db2', { cluster: 'c1', role: 'replica', datacenter: 'phx' }),
  fakeServer('db1', { cluster: 'c1', role: 'primary', datacenter: 'phx' }),
  fakeServer('db3', { datacenter: 'phx' }),
  fakeServer('db4', { datacenter: 'scl' }),
  fakeServer('db5', { datacenter: 'scl' }),
  fakeServer('db6', { datacenter: 'scl' }),
];

/** The most windows the fake load balancer ever had open at once. */
function mostOpen(log: readonly string[]): number {
  const open = new Set<string>();
  let most = 0;
  for (const entry of log) {
    const [action, name = ''] = entry.split(' ');
    if (action === 'open') open.add(name);
    if (action === 'close') open.delete(name);
    most = Math.max(most, open.size);
  }
  return most;
}

describe('a wave shared by two runners', () => {
  it('keeps the wave limit across both, runs each server once, and finishes the wave once', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 2 }, failureBudget: 0 }));
    const table = new MemoryClaimTable();
    const share = (datacenter: string) => wave.filter((server) => server.datacenter === datacenter);
    const [phx, scl] = await Promise.all([
      harness.wave(share('phx'), {
        shared: { claims: table.runner('phx1', 1), wave },
        waveSize: wave.length,
      }),
      harness.wave(share('scl'), {
        shared: { claims: table.runner('scl2', 2), wave },
        waveSize: wave.length,
      }),
    ]);
    expect(phx.ok && scl.ok).toBe(true);
    expect(mostOpen(harness.fleet.window.log)).toBeLessThanOrEqual(2);
    expect([...table.granted].sort()).toEqual(
      ['phx1 db1', 'phx1 db2', 'phx1 db3', 'scl2 db4', 'scl2 db5', 'scl2 db6'].sort(),
    );
    expect(table.granted.indexOf('phx1 db2')).toBeLessThan(table.granted.indexOf('phx1 db1'));
    const finished = harness.journal.records.filter(
      (record) => record.kind === 'wave' && record.event === 'finished',
    );
    expect(finished).toHaveLength(1);
  });

  it('lists what the other runner ran without counting it as not done', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 3 } }));
    const table = new MemoryClaimTable();
    const [first, second] = await Promise.all([
      harness.wave(wave, { shared: { claims: table.runner('a', 1), wave } }),
      harness.wave(wave, { shared: { claims: table.runner('b', 2), wave } }),
    ]);
    expect(first.ok && second.ok).toBe(true);
    const ranBy = (result: typeof first) =>
      result.results.filter((entry) => entry.otherRunner !== true).map((entry) => entry.server);
    expect([...ranBy(first), ...ranBy(second)].sort()).toEqual(wave.map((server) => server.name).sort());
  });

  it("takes over a gone runner's server through the resume path, with an alert naming it", async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 3 } }));
    const table = new MemoryClaimTable(() => harness.journal.records);
    // Runner a claims db3 and is killed in its window (nothing it does reaches a port any more):
    // its claim stays running until its lease expires.
    harness.journal.beforeAppend = (entry) => {
      if (entry.kind === 'step' && entry.step === 'start' && entry.event === 'started')
        harness.fleet.crash.crashAfter = 0;
      harness.fleet.crash.tick();
    };
    await harness
      .wave([wave[2] as ResolvedServer], { shared: { claims: table.runner('a', 1), wave } })
      .catch(() => undefined);
    expect(harness.fleet.window.isOpenNow('db3')).toBe(true);
    harness.fleet.crash.crashAfter = Number.POSITIVE_INFINITY;
    harness.fleet.crash.calls = 0;
    harness.journal.beforeAppend = () => undefined;
    // A killed process settles nothing: its claim is left running (the fake's settle still could).
    table.rows.set('db3', { runner: 'a', token: 1, state: 'running' });
    table.gone(1);
    const result = await harness.wave(wave, { shared: { claims: table.runner('b', 2), wave } });
    expect(result.ok, JSON.stringify(result.results)).toBe(true);
    expect(table.granted).toContain('b db3 took-over');
    expect(harness.journal.records).toContainEqual(
      expect.objectContaining({
        kind: 'alert',
        alert: 'stale-lock',
        server: 'db3',
        message: expect.stringMatching(/from runner a/),
      }),
    );
    expect(harness.fleet.host('db3').upgrades).toBe(1);
    expect(harness.fleet.window.isOpenNow('db3')).toBe(false);
  });
});
