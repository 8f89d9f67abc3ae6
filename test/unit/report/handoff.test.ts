import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_WAVE,
  type HandoffRecord,
  parseJournalRecord,
} from '../../../src/engine/journal/journal-record.js';
import { HandoffAnnouncer } from '../../../src/report/handoff-announcer.js';
import { describeHandoff, handoffsOf, inChargeOn } from '../../../src/report/in-charge.js';
import { currentWave } from '../../../src/report/render-status.js';

const TZ = 'America/Los_Angeles';

function handoff(seq: number, at: string, to: string, extra: Partial<HandoffRecord> = {}): HandoffRecord {
  return {
    v: 1,
    seq,
    at,
    campaign: 'c',
    wave: CAMPAIGN_WAVE,
    kind: 'handoff',
    to,
    user: 'dba',
    host: 'ops-1',
    ...extra,
  };
}

describe('the handoff journal record', () => {
  it('is a typed record, validated when read back', () => {
    const record = handoff(3, '2011-09-20T23:55:00.000Z', 'bob', { from: 'alice', note: 'db12 is slow' });
    expect(parseJournalRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  it('refuses a hand-off without its to, user or host, or with a note that is not text', () => {
    const { to: _to, ...noTo } = handoff(1, '2011-09-20T23:55:00.000Z', 'bob');
    expect(parseJournalRecord(noTo)).toEqual({
      problem: 'to: Invalid input: expected string, received undefined',
    });
    const { host: _host, ...noHost } = handoff(1, '2011-09-20T23:55:00.000Z', 'bob');
    expect(parseJournalRecord(noHost)).toHaveProperty('problem');
    expect(parseJournalRecord({ ...handoff(1, '2011-09-20T23:55:00.000Z', 'bob'), note: 5 })).toHaveProperty(
      'problem',
    );
  });

  it('is about the campaign, not a wave: status still shows the wave the journal last wrote about', () => {
    const wave = {
      v: 1,
      seq: 1,
      at: '2011-09-20T16:00:00.000Z',
      campaign: 'c',
      wave: 2,
      kind: 'wave' as const,
      event: 'started' as const,
    };
    const records = [wave, handoff(2, '2011-09-20T23:55:00.000Z', 'bob')];
    expect(currentWave(records, [])).toBe(2);
    expect(handoffsOf(records).map((record) => record.seq)).toEqual([2]);
  });
});

describe('who is in charge', () => {
  const owners = new Map([
    ['2011-09-20', { name: 'alice', contact: 'alice@example.com' }],
    ['2011-09-22', { name: 'bob' }],
  ]);
  const people = [...owners.values()];

  it('is the day owner until a hand-off that day, then whoever it names', () => {
    expect(inChargeOn('2011-09-20', owners, people, [], TZ)).toEqual({
      date: '2011-09-20',
      name: 'alice',
      contact: 'alice@example.com',
      named: 'alice',
    });
    // 23:55 UTC is 16:55 in Los Angeles: still the 20th there.
    const evening = handoff(5, '2011-09-20T23:55:00.000Z', 'bob', { from: 'alice' });
    expect(inChargeOn('2011-09-20', owners, people, [evening], TZ)).toMatchObject({
      name: 'bob',
      named: 'alice',
      handoff: evening,
    });
  });

  it('goes back to the named owner the next day, and is nobody on a day nobody owns', () => {
    const evening = handoff(5, '2011-09-20T23:55:00.000Z', 'bob');
    expect(inChargeOn('2011-09-22', owners, people, [evening], TZ)).toEqual({
      date: '2011-09-22',
      name: 'bob',
      named: 'bob',
    });
    expect(inChargeOn('2011-09-21', owners, people, [evening], TZ)).toEqual({ date: '2011-09-21' });
  });

  it('says a hand-off in one line with who, when, where from, and the note', () => {
    expect(
      describeHandoff(
        handoff(5, '2011-09-20T23:55:00.000Z', 'bob', { from: 'alice', note: 'db12 slow' }),
        TZ,
      ),
    ).toBe('alice handed off to bob at 16:55 PDT (dba@ops-1): "db12 slow"');
  });
});

describe('the broadcast announces a hand-off', () => {
  const every = 30 * 60_000;
  const at = Date.parse('2011-09-20T23:55:00.000Z');

  it('once, in the first broadcast after it was recorded', () => {
    const announcer = new HandoffAnnouncer(every);
    expect(announcer.next([], at - 1_000)).toBeUndefined();
    const first = handoff(5, new Date(at).toISOString(), 'bob');
    expect(announcer.next([first], at + every)).toBe(first);
    expect(announcer.next([first], at + 2 * every)).toBeUndefined();
    const second = handoff(9, new Date(at + 3 * every).toISOString(), 'alice');
    expect(announcer.next([first, second], at + 4 * every)).toBe(second);
    expect(announcer.next([first, second], at + 5 * every)).toBeUndefined();
  });

  it('not when it starts broadcasting long after the hand-off (a restarted status --every)', () => {
    const announcer = new HandoffAnnouncer(every);
    const old = handoff(5, new Date(at).toISOString(), 'bob');
    expect(announcer.next([old], at + every + 1)).toBeUndefined();
    expect(announcer.next([old], at + 2 * every)).toBeUndefined();
  });
});
