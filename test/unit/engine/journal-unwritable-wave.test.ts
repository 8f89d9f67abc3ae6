import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../../src/engine/journal/journal-record.js';
import { JournalUnwritableError } from '../../../src/engine/journal/journal-unwritable-error.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

const servers = (count: number) => Array.from({ length: count }, (_, index) => fakeServer(`db${index + 1}`));
const FILE = '/srv/dbwave/state/journal.jsonl';
const noSpace = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** From the first entry `failsFrom` accepts on, the journal refuses every record: a disk that filled up. */
function diskFillsAt(harness: Harness, failsFrom: (entry: JournalEntry) => boolean): void {
  let full = false;
  harness.journal.beforeAppend = (entry) => {
    full ||= failsFrom(entry);
    if (full) throw new JournalUnwritableError(FILE, entry, noSpace);
  };
}

/** Every window the fake load balancer opened was closed again. */
function everyWindowClosed(log: readonly string[]): boolean {
  const open = new Set<string>();
  for (const entry of log) {
    const [action, name = ''] = entry.split(' ');
    if (action === 'open') open.add(name);
    if (action === 'close') open.delete(name);
  }
  return open.size === 0;
}

describe('a wave whose journal cannot be written', () => {
  it('never begins a step whose started record failed, and starts no further server', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 1 } }));
    diskFillsAt(harness, (entry) => entry.kind === 'step' && entry.server === 'db2');
    const result = await harness.wave(servers(3));
    expect(result.results.map((r) => r.outcome)).toEqual(['Upgraded', 'NeedsPerson', 'NotExecuted']);
    expect(harness.fleet.host('db2').calls).toEqual([]);
    expect(harness.fleet.host('db3').calls).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.haltedBecause).toMatch(/journal cannot be written \(ENOSPC: no space left on device/);
    expect(result.results[1]?.reason).toMatch(/step precheck of db2 did not start/);
    expect(result.journalUnwritable?.message).toContain('/srv/dbwave/state');
  });

  it('stops a server whose step outcome could not be recorded, with its window closed', async () => {
    const harness = new Harness(fakeCampaign({ concurrency: { wave: 1 } }));
    diskFillsAt(
      harness,
      (entry) => entry.kind === 'step' && entry.step === 'window-open' && entry.event === 'succeeded',
    );
    const result = await harness.wave(servers(2));
    expect(result.results.map((r) => r.outcome)).toEqual(['NeedsPerson', 'NotExecuted']);
    expect(result.results[0]?.reason).toMatch(
      /outcome of step window-open on db1 \(succeeded\) is not recorded/,
    );
    expect(harness.fleet.window.log).toEqual(['open db1', 'close db1']);
    expect(harness.fleet.host('db1').upgrades).toBe(0);
  });

  it('ends every server upgraded, stopped for a person or not started when the disk fills mid-wave', async () => {
    for (let failAt = 1; failAt < 60; failAt += 3) {
      const harness = new Harness(fakeCampaign({ concurrency: { wave: 3 }, failureBudget: 5 }));
      let appended = 0;
      diskFillsAt(harness, () => {
        appended += 1;
        return appended > failAt;
      });
      const result = await harness.wave(servers(6));
      for (const { outcome } of result.results) {
        expect(['Upgraded', 'NeedsPerson', 'NotExecuted']).toContain(outcome);
      }
      expect(result.ok).toBe(false);
      expect(everyWindowClosed(harness.fleet.window.log)).toBe(true);
      // What the journal holds is whole: its last record is one of those appended before the disk filled.
      expect(harness.journal.records).toHaveLength(failAt);
    }
  });

  it('throws before any server starts when the wave record itself cannot be written', async () => {
    const harness = new Harness(fakeCampaign());
    diskFillsAt(harness, () => true);
    await expect(harness.wave(servers(2))).rejects.toThrow(/wave 1 started is not recorded/);
    expect(harness.fleet.window.log).toEqual([]);
    expect(harness.fleet.host('db1').calls).toEqual([]);
  });
});
