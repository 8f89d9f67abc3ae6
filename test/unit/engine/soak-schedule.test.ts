import { describe, expect, it } from 'vitest';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { soakRefusals } from '../../../src/engine/wave/soak-gate.js';
import {
  nextSoakDue,
  soakPointActionable,
  soakPointSettled,
  soakSchedule,
} from '../../../src/engine/wave/soak-schedule.js';
import { describeRefusal, waveOrderRefusals } from '../../../src/engine/wave/wave-order.js';
import { WaveOrderError } from '../../../src/engine/wave/wave-order-error.js';
import { campaignFields, type SoakSettings } from '../../../src/model/campaign-schema.js';
import type { PlannedWave } from '../../../src/model/plan.js';
import { SyntheticJournal } from '../report/synthetic-journal.js';
import { FakeClock } from './fakes/fake-clock.js';

const HOUR = 3_600_000;
const SOAK: SoakSettings = {
  points: [HOUR, 4 * HOUR, 24 * HOUR],
  tolerance: 30 * 60_000,
  gating: [HOUR, 4 * HOUR],
};
const START = Date.parse('2011-09-20T16:00:00Z');

/** Wave 1 ran db1 and db2 (both upgraded) and finished an hour after it started; the clock is at its end. */
function wave1Ended(): { journal: SyntheticJournal; clock: FakeClock; endedAt: number } {
  const journal = new SyntheticJournal('fleet-5158', START);
  journal.waveStarted(1, ['db1', 'db2']);
  journal.add({ kind: 'outcome', wave: 1, server: 'db1', outcome: 'Upgraded' });
  journal.add({ kind: 'outcome', wave: 1, server: 'db2', outcome: 'Upgraded' });
  journal.wait(HOUR);
  journal.add({ kind: 'wave', wave: 1, event: 'finished' });
  return { journal, clock: new FakeClock(journal.clock), endedAt: journal.clock };
}

/** A soak point taken at the journal's clock: started, one verdict per server, finished with the worst. */
function takePoint(
  journal: SyntheticJournal,
  pointMs: number,
  dueAt: number,
  verdicts: Record<string, 'pass' | 'fail' | 'inconclusive'>,
): void {
  const stamp = { kind: 'soak', wave: 1, pointMs, dueAt: new Date(dueAt).toISOString() } as const;
  const lateMs = Math.max(0, journal.clock - dueAt);
  journal.add({ ...stamp, event: 'started', lateMs });
  for (const [server, verdict] of Object.entries(verdicts)) {
    journal.add({ kind: 'soak-verdict', wave: 1, server, pointMs, verdict, evidence: `${verdict} evidence` });
  }
  const worst = Object.values(verdicts).includes('fail') ? 'fail' : 'pass';
  journal.add({ ...stamp, event: 'finished', lateMs, verdict: worst });
}

describe('the soak schedule', () => {
  it('has no point before the wave ends: a point counts from the end', () => {
    const journal = new SyntheticJournal('fleet-5158', START).waveStarted(1, ['db1']);
    expect(soakSchedule(journal.records, 1, SOAK, START + 30 * HOUR)).toEqual([]);
  });

  it('waits for each point until it is due, and says when the next one is', () => {
    const { journal, clock, endedAt } = wave1Ended();
    clock.advance(HOUR - 1);
    const points = soakSchedule(journal.records, 1, SOAK, clock.now());
    expect(points.map((point) => point.state)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(points.map((point) => point.gates)).toEqual([true, true, false]);
    expect(nextSoakDue(points)).toBe(endedAt + HOUR);
    expect(points.some(soakPointActionable)).toBe(false);
  });

  it('is due at its time, and still due when late within the tolerance, saying how late', () => {
    const { journal, clock } = wave1Ended();
    clock.advance(HOUR);
    expect(soakSchedule(journal.records, 1, SOAK, clock.now())[0]).toMatchObject({ state: 'due', lateMs: 0 });
    clock.advance(29 * 60_000);
    const late = soakSchedule(journal.records, 1, SOAK, clock.now())[0];
    expect(late).toMatchObject({ state: 'due', lateMs: 29 * 60_000 });
    expect(late && soakPointActionable(late)).toBe(true);
  });

  it('is missed past the tolerance: to be journaled by the next look, then settled, never skipped', () => {
    const { journal, clock, endedAt } = wave1Ended();
    clock.advance(HOUR + 31 * 60_000);
    const seen = soakSchedule(journal.records, 1, SOAK, clock.now())[0];
    expect(seen).toMatchObject({ state: 'missed', journaled: false, lateMs: 31 * 60_000 });
    expect(seen && soakPointActionable(seen)).toBe(true);
    expect(seen && soakPointSettled(seen)).toBe(false);

    journal.wait(HOUR + 31 * 60_000);
    journal.add({
      kind: 'soak',
      wave: 1,
      event: 'missed',
      pointMs: HOUR,
      dueAt: new Date(endedAt + HOUR).toISOString(),
      lateMs: 31 * 60_000,
    });
    const recorded = soakSchedule(journal.records, 1, SOAK, clock.now())[0];
    expect(recorded).toMatchObject({ state: 'missed', journaled: true });
    expect(recorded && soakPointActionable(recorded)).toBe(false);
    expect(recorded && soakPointSettled(recorded)).toBe(true);
  });

  it('is done once taken, with each server verdict, and is never taken again (idempotent)', () => {
    const { journal, clock, endedAt } = wave1Ended();
    journal.wait(HOUR + 5_000);
    takePoint(journal, HOUR, endedAt + HOUR, { db1: 'pass', db2: 'fail' });
    clock.advance(2 * HOUR);
    const [first, second] = soakSchedule(journal.records, 1, SOAK, clock.now());
    expect(first).toMatchObject({ state: 'done', verdict: 'fail', lateMs: 5_000 });
    expect(first?.servers.map((record) => [record.server, record.verdict])).toEqual([
      ['db1', 'pass'],
      ['db2', 'fail'],
    ]);
    expect(first && soakPointActionable(first)).toBe(false);
    expect(second?.state).toBe('waiting');
    // Much later the same point is still done: a second process finds nothing to take.
    clock.advance(100 * HOUR);
    expect(soakSchedule(journal.records, 1, SOAK, clock.now())[0]?.state).toBe('done');
  });

  it('takes again a point started and never finished (its taker died), however late', () => {
    const { journal, clock, endedAt } = wave1Ended();
    journal.wait(HOUR);
    journal.add({
      kind: 'soak',
      wave: 1,
      event: 'started',
      pointMs: HOUR,
      dueAt: new Date(endedAt + HOUR).toISOString(),
      lateMs: 0,
    });
    clock.advance(3 * HOUR);
    const point = soakSchedule(journal.records, 1, SOAK, clock.now())[0];
    expect(point).toMatchObject({ state: 'interrupted', lateMs: 2 * HOUR });
    expect(point && soakPointActionable(point)).toBe(true);
  });

  it('counts from the latest end when a wave is run again after it ended', () => {
    const { journal, endedAt } = wave1Ended();
    journal.wait(HOUR);
    takePoint(journal, HOUR, endedAt + HOUR, { db1: 'pass' });
    journal.wait(HOUR);
    journal.add({ kind: 'wave', wave: 1, event: 'resumed' });
    journal.wait(HOUR);
    journal.add({ kind: 'wave', wave: 1, event: 'finished' });
    const again = soakSchedule(journal.records, 1, SOAK, journal.clock)[0];
    expect(again).toMatchObject({ state: 'waiting', dueAt: new Date(journal.clock + HOUR).toISOString() });
  });
});

describe('the soak settings', () => {
  it('default to +1h, +4h, +24h, every point holding the next wave, tolerance 30m', () => {
    const soak = campaignFields.shape.soak.parse(undefined);
    expect(soak).toEqual({
      points: [HOUR, 4 * HOUR, 24 * HOUR],
      tolerance: 30 * 60_000,
      gating: [HOUR, 4 * HOUR, 24 * HOUR],
    });
  });

  it('order the points, and refuse a gating point that is not a point', () => {
    expect(campaignFields.shape.soak.parse({ points: ['4h', '1h'], gating: ['1h'] })).toMatchObject({
      points: [HOUR, 4 * HOUR],
      gating: [HOUR],
    });
    const refused = campaignFields.shape.soak.safeParse({ points: ['1h'], gating: ['2h'] });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['gating', 0],
      message: 'is not one of soak.points',
    });
  });
});

describe('the soak as the next wave sees it', () => {
  const PLAN: PlannedWave[] = [1, 2].map((index) => ({
    index,
    days: [],
    servers: (index === 1 ? ['db1', 'db2'] : ['db3']).map((name) => ({
      name,
      class: 'ix-6',
      date: '2011-09-20',
    })),
  }));
  const refusalsAt = (journal: SyntheticJournal, now: number, inconclusiveHolds = true) => {
    const replay = replayJournal(journal.records);
    return waveOrderRefusals(PLAN, 2, replay, (wave) =>
      soakRefusals(wave, soakSchedule(journal.records, wave, SOAK, now), {
        inconclusiveHolds,
        stillUpgraded: (server) => replay.servers.get(server)?.outcome === 'Upgraded',
      }),
    );
  };

  it('refuses wave 2 while a gating point is pending, saying when it is due; not for a point that does not gate', () => {
    const { journal, endedAt } = wave1Ended();
    expect(refusalsAt(journal, endedAt).map(describeRefusal)).toEqual([
      `wave 1 has not passed its soak yet: +1h due ${new Date(endedAt + HOUR).toISOString()}, +4h due ${new Date(endedAt + 4 * HOUR).toISOString()}`,
    ]);
    journal.wait(HOUR);
    takePoint(journal, HOUR, endedAt + HOUR, { db1: 'pass', db2: 'pass' });
    journal.wait(3 * HOUR);
    takePoint(journal, 4 * HOUR, endedAt + 4 * HOUR, { db1: 'pass', db2: 'pass' });
    // +24h is still to come, but it does not hold wave 2.
    expect(refusalsAt(journal, journal.clock)).toEqual([]);
  });

  it('refuses after a failed point, and names the rollback of the failing servers; not once they are rolled back', () => {
    const { journal, endedAt } = wave1Ended();
    journal.wait(HOUR);
    takePoint(journal, HOUR, endedAt + HOUR, { db1: 'pass', db2: 'fail' });
    journal.wait(3 * HOUR);
    takePoint(journal, 4 * HOUR, endedAt + 4 * HOUR, { db1: 'pass', db2: 'pass' });
    const refusals = refusalsAt(journal, journal.clock);
    expect(refusals).toEqual([{ kind: 'soak-failed', wave: 1, servers: ['db2'] }]);
    const error = new WaveOrderError('waves/x.plan.yaml', 2, refusals);
    expect(error.message).toContain('wave 1 failed its soak: db2 compared worse than before the upgrade');
    expect(error.message).toContain('dbwave rollback waves/x.plan.yaml --wave 1 --server db2');
    expect(error.message).toContain('--override-order --reason');

    journal.add({ kind: 'outcome', wave: 1, server: 'db2', outcome: 'RolledBack', reason: 'soak failed' });
    expect(refusalsAt(journal, journal.clock)).toEqual([]);
  });

  it('refuses after a missed gating point: nobody compared the servers then', () => {
    const { journal, endedAt } = wave1Ended();
    journal.wait(6 * HOUR);
    expect(refusalsAt(journal, journal.clock)).toEqual([
      { kind: 'soak-missed', wave: 1, points: ['+1h', '+4h'] },
    ]);
    expect(refusalsAt(journal, journal.clock).map(describeRefusal)).toEqual([
      'wave 1 missed soak point(s) +1h, +4h (nothing was running to take them)',
    ]);
    expect(endedAt).toBeLessThan(journal.clock);
  });

  it('holds wave 2 on an inconclusive server unless the campaign says inconclusive means continue', () => {
    const { journal, endedAt } = wave1Ended();
    journal.wait(HOUR);
    takePoint(journal, HOUR, endedAt + HOUR, { db1: 'inconclusive', db2: 'pass' });
    journal.wait(3 * HOUR);
    takePoint(journal, 4 * HOUR, endedAt + 4 * HOUR, { db1: 'pass', db2: 'pass' });
    expect(refusalsAt(journal, journal.clock)).toEqual([
      { kind: 'soak-inconclusive', wave: 1, servers: ['db1'] },
    ]);
    expect(refusalsAt(journal, journal.clock, false)).toEqual([]);
  });
});
