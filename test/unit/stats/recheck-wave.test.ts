import { describe, expect, it } from 'vitest';
import { recheckVerdict, recheckWave } from '../../../src/analysis/recheck-wave.js';
import type { JournalEntry, JournalRecord } from '../../../src/engine/journal/journal-record.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { fakeMariadb } from './fake-mariadb.js';
import { recheckCampaign, recheckServer, steadySeries } from './recheck-fixture.js';

const campaign = recheckCampaign;
const server = recheckServer;
const series = steadySeries;

let seq = 0;
function record(fields: JournalEntry): JournalRecord {
  seq += 1;
  return { v: 1, seq, at: '2026-11-24T10:00:00.000Z', campaign: 'test', ...fields } as JournalRecord;
}

const history: JournalRecord[] = [
  record({ kind: 'stats', wave: 1, server: 'db-01', phase: 'baseline', intervalMs: 10_000, series }),
  record({
    kind: 'stats',
    wave: 1,
    server: 'db-09',
    phase: 'control',
    controlFor: 'db-01',
    controlPhase: 'baseline',
    intervalMs: 10_000,
    series,
  }),
  record({ kind: 'outcome', wave: 1, server: 'db-01', outcome: 'Upgraded' }),
  record({ kind: 'outcome', wave: 1, server: 'db-02', outcome: 'RolledBack', reason: 'smoke:rows failed' }),
];

describe('rechecking a wave hours later', () => {
  it('samples each upgraded server and its still-old controls again, journals a recheck beside the first, and compares', async () => {
    const clock = new FakeClock();
    const appended: JournalEntry[] = [];
    const results = await recheckWave({
      campaign,
      wave: 1,
      servers: [server('db-01'), server('db-02')],
      fleet: [server('db-01'), server('db-02'), server('db-09')],
      history,
      journal: {
        append: async (entry) => {
          appended.push(entry);
          return record(entry);
        },
      },
      sql: async () => fakeMariadb(clock),
      clock,
      signal: new AbortController().signal,
    });
    expect(results[1]).toEqual({
      server: 'db-02',
      skipped: 'not upgraded (RolledBack)',
      because: 'not-upgraded',
    });
    const first = results[0];
    if (first === undefined || !('gate' in first)) throw new Error(`no comparison: ${JSON.stringify(first)}`);
    expect(first.gate.verdict).toBe('pass');
    expect(first.comparison.controls).toEqual(['db-09']);
    expect(appended.map((entry) => ('phase' in entry ? [entry.server, entry.phase] : []))).toEqual([
      ['db-01', 'recheck'],
      ['db-09', 'control'],
    ]);
    expect(appended[1]).toMatchObject({ controlFor: 'db-01', controlPhase: 'recheck' });
    expect(recheckVerdict(results)).toBe('pass');
  });

  it('reports a server it cannot reach, and that makes the recheck unhealthy', async () => {
    const results = await recheckWave({
      campaign,
      wave: 1,
      servers: [server('db-01')],
      fleet: [server('db-01')],
      history,
      journal: { append: async (entry) => record(entry) },
      sql: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      clock: new FakeClock(),
      signal: new AbortController().signal,
    });
    expect(results).toEqual([{ server: 'db-01', error: 'connect ECONNREFUSED' }]);
    expect(recheckVerdict(results)).toBe('fail');
  });
});
