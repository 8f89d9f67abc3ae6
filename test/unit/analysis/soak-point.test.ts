import { describe, expect, it } from 'vitest';
import { recordMissedSoakPoint, takeSoakPoint } from '../../../src/analysis/soak-point.js';
import type { JournalEntry, JournalRecord } from '../../../src/engine/journal/journal-record.js';
import type { SoakPointStatus } from '../../../src/engine/wave/soak-schedule.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { fakeMariadb } from '../stats/fake-mariadb.js';
import { recheckCampaign, recheckServer, upgradedWithBaseline } from '../stats/recheck-fixture.js';

const campaign = recheckCampaign;
const server = recheckServer;
const OPERATOR = { user: 'dba', host: 'ops-1', pid: 42 };

/** A journal in memory: db-01 upgraded after a baseline, db-02 upgraded with none. */
function memoryJournal(): {
  records: JournalRecord[];
  append: (entry: JournalEntry) => Promise<JournalRecord>;
} {
  const records: JournalRecord[] = [];
  const append = async (entry: JournalEntry): Promise<JournalRecord> => {
    const record = {
      v: 1,
      seq: records.length + 1,
      at: '2026-11-24T10:00:00.000Z',
      campaign: 'test',
      ...entry,
    };
    records.push(record as JournalRecord);
    return record as JournalRecord;
  };
  return { records, append };
}

function point(clock: FakeClock): SoakPointStatus {
  return {
    pointMs: 3_600_000,
    dueAt: new Date(clock.now() - 90_000).toISOString(),
    state: 'due',
    gates: true,
    journaled: false,
    lateMs: 90_000,
    servers: [],
  };
}

async function seeded() {
  const journal = memoryJournal();
  for (const entry of upgradedWithBaseline) await journal.append(entry);
  await journal.append({ kind: 'outcome', wave: 1, server: 'db-02', outcome: 'Upgraded' });
  return journal;
}

/** Takes the point on db-01 alone, with `sql` and `signal` as given. */
function takeOnDb01(
  journal: Awaited<ReturnType<typeof seeded>>,
  clock: FakeClock,
  sql: () => Promise<never>,
  signal: AbortSignal,
) {
  return takeSoakPoint({
    campaign,
    wave: 1,
    servers: [server('db-01')],
    fleet: [server('db-01')],
    history: [...journal.records],
    journal,
    sql,
    clock,
    signal,
    point: point(clock),
    operator: OPERATOR,
  });
}

describe('taking a soak point', () => {
  it('journals started before sampling, each upgraded server verdict, then finished with the worst', async () => {
    const journal = await seeded();
    const clock = new FakeClock();
    const taken = point(clock);
    const verdicts = await takeSoakPoint({
      campaign,
      wave: 1,
      servers: [server('db-01'), server('db-02')],
      fleet: [server('db-01'), server('db-02')],
      history: [...journal.records],
      journal,
      sql: async () => fakeMariadb(clock),
      clock,
      signal: new AbortController().signal,
      point: taken,
      operator: OPERATOR,
    });
    expect(verdicts?.map((record) => [record.server, record.verdict])).toEqual([
      ['db-01', 'pass'],
      ['db-02', 'inconclusive'],
    ]);
    expect(verdicts?.[1]?.evidence).toBe('no baseline sampling in the journal');
    const soak = journal.records.filter((record) => record.kind === 'soak' || record.kind === 'soak-verdict');
    expect(soak.map((record) => [record.kind, 'event' in record ? record.event : record.server])).toEqual([
      ['soak', 'started'],
      ['soak-verdict', 'db-01'],
      ['soak-verdict', 'db-02'],
      ['soak', 'finished'],
    ]);
    expect(soak[0]).toMatchObject({ lateMs: 90_000, operator: OPERATOR, dueAt: taken.dueAt });
    expect(soak[3]).toMatchObject({ verdict: 'inconclusive' });
    // The sampling itself is journaled as a recheck, beside the baseline.
    expect(journal.records.some((record) => record.kind === 'stats' && record.phase === 'recheck')).toBe(
      true,
    );
  });

  it('fails a server that cannot be sampled hours after its upgrade', async () => {
    const journal = await seeded();
    const clock = new FakeClock();
    const verdicts = await takeOnDb01(
      journal,
      clock,
      async () => {
        throw new Error('connect ECONNREFUSED');
      },
      new AbortController().signal,
    );
    expect(verdicts).toMatchObject([
      { server: 'db-01', verdict: 'fail', evidence: 'could not sample: connect ECONNREFUSED' },
    ]);
  });

  it('leaves an interrupted point (Ctrl-C) started and unfinished, with no verdict: it is taken again', async () => {
    const journal = await seeded();
    const clock = new FakeClock();
    const controller = new AbortController();
    const verdicts = await takeOnDb01(
      journal,
      clock,
      async () => {
        controller.abort(new Error('interrupted'));
        throw new Error('interrupted');
      },
      controller.signal,
    );
    expect(verdicts).toBeUndefined();
    const soak = journal.records.filter((record) => record.kind === 'soak' || record.kind === 'soak-verdict');
    expect(soak.map((record) => record.kind === 'soak' && record.event)).toEqual(['started']);
  });

  it('journals a missed point with how late it was found', async () => {
    const journal = memoryJournal();
    const clock = new FakeClock();
    const missed = await recordMissedSoakPoint(journal, 1, point(clock), OPERATOR, clock.now());
    expect(missed).toMatchObject({ kind: 'soak', event: 'missed', pointMs: 3_600_000, lateMs: 90_000 });
  });
});
