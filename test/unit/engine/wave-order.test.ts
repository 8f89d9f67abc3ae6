import { describe, expect, it } from 'vitest';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { describeRefusal, waveOrderRefusals } from '../../../src/engine/wave/wave-order.js';
import type { PlannedWave } from '../../../src/model/plan.js';
import { SyntheticJournal } from '../report/synthetic-journal.js';

function wave(index: number, names: readonly string[]): PlannedWave {
  return {
    index,
    days: [],
    servers: names.map((name) => ({ name, class: 'ix-6', date: '2011-09-20' })),
  };
}

const PLAN = [wave(1, ['db1', 'db2']), wave(2, ['db3', 'db4']), wave(3, ['db5'])];

function refusalsFor(index: number, journal: SyntheticJournal) {
  return waveOrderRefusals(PLAN, index, replayJournal(journal.records));
}

function finishedWave1(journal = new SyntheticJournal()): SyntheticJournal {
  journal.waveStarted(1, ['db1', 'db2']);
  journal.add({ kind: 'outcome', wave: 1, server: 'db1', outcome: 'Upgraded' });
  journal.add({ kind: 'outcome', wave: 1, server: 'db2', outcome: 'RolledBack', reason: 'start failed' });
  journal.add({ kind: 'wave', wave: 1, event: 'finished' });
  return journal;
}

describe('the wave order', () => {
  it('lets the first wave begin: it has no wave before it', () => {
    expect(refusalsFor(1, new SyntheticJournal())).toEqual([]);
  });

  it('refuses wave 2 while wave 1 has never run', () => {
    const refusals = refusalsFor(2, new SyntheticJournal());
    expect(refusals).toEqual([{ kind: 'never-run', wave: 1 }]);
    expect(refusals.map(describeRefusal)).toEqual(['wave 1 has never run']);
  });

  it('lets wave 2 begin once every server of wave 1 ended, rolled back ones included', () => {
    expect(refusalsFor(2, finishedWave1())).toEqual([]);
  });

  it('refuses while wave 1 is still running or was interrupted, naming the servers not done', () => {
    const journal = new SyntheticJournal().waveStarted(1, ['db1', 'db2']);
    journal.add({ kind: 'outcome', wave: 1, server: 'db1', outcome: 'Upgraded' });
    expect(refusalsFor(2, journal)).toEqual([
      { kind: 'unfinished', wave: 1, since: journal.records[0]?.at },
      { kind: 'servers-not-done', wave: 1, servers: ['db2'] },
    ]);
  });

  it('refuses after a halted wave 1, with the reason it halted', () => {
    const journal = new SyntheticJournal().waveStarted(1, ['db1', 'db2']);
    journal.add({ kind: 'outcome', wave: 1, server: 'db1', outcome: 'PrecheckFailed' });
    journal.add({ kind: 'wave', wave: 1, event: 'halted', reason: 'failure budget exceeded (1 > 0)' });
    const refusals = refusalsFor(2, journal);
    expect(refusals.map(describeRefusal)).toEqual([
      'wave 1 halted (failure budget exceeded (1 > 0))',
      'wave 1 has 1 server(s) not done: db2',
    ]);
  });

  it('refuses while a server of wave 1 needs a person or a user migration', () => {
    const journal = new SyntheticJournal().waveStarted(1, ['db1', 'db2']);
    journal.add({ kind: 'outcome', wave: 1, server: 'db1', outcome: 'NeedsPerson', reason: 'paused' });
    journal.add({ kind: 'outcome', wave: 1, server: 'db2', outcome: 'NeedsUserMigration' });
    journal.add({ kind: 'wave', wave: 1, event: 'finished' });
    expect(refusalsFor(2, journal).map(describeRefusal)).toEqual([
      'wave 1 has 1 server(s) that need a person: db1',
      'wave 1 has 1 server(s) that need a user migration: db2',
    ]);
  });

  it('refuses a wave whose servers on another day of wave 1 have not run yet', () => {
    const journal = new SyntheticJournal().waveStarted(1, ['db1']);
    journal.add({ kind: 'outcome', wave: 1, server: 'db1', outcome: 'Upgraded' });
    journal.add({ kind: 'wave', wave: 1, event: 'finished' });
    expect(refusalsFor(2, journal)).toEqual([{ kind: 'servers-not-done', wave: 1, servers: ['db2'] }]);
  });

  it('only looks at the wave just before: wave 3 waits for wave 2, not for wave 1', () => {
    const journal = finishedWave1().waveStarted(2, ['db3', 'db4']);
    expect(refusalsFor(3, journal).map((refusal) => refusal.wave)).toEqual([2, 2]);
  });

  it('never refuses to resume a wave the journal already knows', () => {
    const journal = new SyntheticJournal().waveStarted(2, ['db3', 'db4']);
    expect(refusalsFor(2, journal)).toEqual([]);
  });

  it('keeps the override, who made it and when, in the replay of the wave', () => {
    const journal = new SyntheticJournal();
    journal.add({
      kind: 'wave',
      wave: 2,
      event: 'started',
      servers: ['db3'],
      operator: { user: 'dba', host: 'ops-1', pid: 7 },
      orderOverride: { reason: 'db1 is retired', refusals: ['wave 1 has never run'] },
    });
    journal.add({ kind: 'wave', wave: 2, event: 'finished' });
    journal.add({ kind: 'wave', wave: 2, event: 'resumed', servers: ['db3'] });
    expect(replayJournal(journal.records).waves.get(2)?.orderOverride).toEqual({
      reason: 'db1 is retired',
      refusals: ['wave 1 has never run'],
      at: journal.records[0]?.at,
      operator: { user: 'dba', host: 'ops-1', pid: 7 },
    });
  });
});
