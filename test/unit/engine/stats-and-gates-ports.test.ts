import { describe, expect, it } from 'vitest';
import { statsAndGatesPorts } from '../../../src/app/stats-and-gates-ports.js';
import type { JournalEntry } from '../../../src/engine/journal/journal-record.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { FakeClock } from './fakes/fake-clock.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { MemoryJournalStore } from './fakes/memory-journal-store.js';

const fleet: ResolvedServer[] = [
  fakeServer('db1'),
  fakeServer('db2'),
  fakeServer('db3'),
  fakeServer('db4'),
  fakeServer('db5'),
  fakeServer('db6', { class: 'ix-24' }),
];

function ports(store: MemoryJournalStore) {
  return statsAndGatesPorts({
    store,
    resolver: { resolve: (name) => fleet.find((server) => server.name === name), all: () => fleet },
    sql: () => Promise.reject(new Error('no SQL in this test')),
  });
}

const outcome = (server: string, value: 'Upgraded' | 'RolledBack' | 'PrecheckFailed'): JournalEntry => ({
  kind: 'outcome',
  wave: 1,
  server,
  outcome: value,
});

describe('the stats and gates ports of dbwave run', () => {
  it('writes a gate record with the next record, in journal order, and a stats record at once', async () => {
    const store = new MemoryJournalStore(new FakeClock());
    const gates = ports(store);
    await gates.record({
      kind: 'gate',
      wave: 1,
      server: 'db1',
      phase: 'readiness',
      gate: 'reachable',
      verdict: 'pass',
      evidence: 'SELECT 1 answered',
      durationMs: 3,
    });
    expect(store.records).toEqual([]);
    await store.append({ kind: 'step', wave: 1, server: 'db1', step: 'readiness-gates', event: 'succeeded' });
    expect(store.records.map((record) => `${record.seq}:${record.kind}`)).toEqual(['1:gate', '2:step']);
  });

  it('takes controls of the same class that still run the old version and are not in flight', async () => {
    const store = new MemoryJournalStore(new FakeClock());
    await store.append(outcome('db2', 'Upgraded'));
    await store.append(outcome('db3', 'RolledBack'));
    await store.append({ kind: 'step', wave: 1, server: 'db4', step: 'shutdown', event: 'started' });
    await store.append(outcome('db5', 'PrecheckFailed'));
    const controls = await ports(store).controlsFor(fleet[0] as ResolvedServer);
    expect(controls.map((server) => server.name)).toEqual(['db3', 'db5']);
  });

  it('records through the run’s store, so stats and steps share one seq', async () => {
    const store = new MemoryJournalStore(new FakeClock());
    await store.append({ kind: 'step', wave: 1, server: 'db1', step: 'baseline', event: 'started' });
    await ports(store).record({
      kind: 'stats',
      wave: 1,
      server: 'db1',
      phase: 'baseline',
      intervalMs: 1000,
      series: { rows_read: [1, 2] },
    });
    await store.append({ kind: 'step', wave: 1, server: 'db1', step: 'baseline', event: 'succeeded' });
    expect(store.records.map((record) => record.seq)).toEqual([1, 2, 3]);
  });

  it('finds a server’s own stats and those of its controls', async () => {
    const store = new MemoryJournalStore(new FakeClock());
    const stats = (server: string, controlFor?: string): JournalEntry => ({
      kind: 'stats',
      wave: 1,
      server,
      phase: controlFor === undefined ? 'baseline' : 'control',
      ...(controlFor === undefined ? {} : { controlFor, controlPhase: 'baseline' as const }),
      intervalMs: 1000,
      series: {},
    });
    await store.append(stats('db1'));
    await store.append(stats('db3', 'db1'));
    await store.append(stats('db2'));
    await store.append(stats('db3', 'db2'));
    const found = await ports(store).statsFor('db1');
    expect(found.map((record) => [record.server, record.controlFor])).toEqual([
      ['db1', undefined],
      ['db3', 'db1'],
    ]);
  });
});
