import { describe, expect, it } from 'vitest';
import { unlocatedSources } from '../../../src/core/source-locator.js';
import { campaignCalendar } from '../../../src/planner/campaign-calendar.js';
import { campaign } from './random-fleet.js';

describe('campaignCalendar', () => {
  it('expands a range, both ends included, and skips blackout days', () => {
    const calendar = campaignCalendar(
      campaign([{ dates: '2011-09-27..2011-09-30', size: 'rest' }], { blackout: ['2011-09-28'] }),
      unlocatedSources,
    );
    expect(calendar.issues).toEqual([]);
    expect(calendar.waves[0]?.map((day) => day.date)).toEqual(['2011-09-27', '2011-09-29', '2011-09-30']);
  });

  it('gives each window as ISO instants with the offset of its own day across the end of DST', () => {
    // Los Angeles left daylight time on Sunday 2011-11-06 at 02:00.
    const calendar = campaignCalendar(
      campaign([{ dates: '2011-11-05..2011-11-07', size: 'rest' }]),
      unlocatedSources,
    );
    expect(calendar.waves[0]).toEqual([
      {
        date: '2011-11-05',
        windowStart: '2011-11-05T09:00:00-07:00',
        windowEnd: '2011-11-05T18:00:00-07:00',
      },
      {
        date: '2011-11-06',
        windowStart: '2011-11-06T09:00:00-08:00',
        windowEnd: '2011-11-06T18:00:00-08:00',
      },
      {
        date: '2011-11-07',
        windowStart: '2011-11-07T09:00:00-08:00',
        windowEnd: '2011-11-07T18:00:00-08:00',
      },
    ]);
  });

  it('makes the night window of the spring-forward day an hour shorter', () => {
    // 2012-03-11 02:00 became 03:00 in Los Angeles: a 01:00-05:00 window lasts three hours.
    const calendar = campaignCalendar(
      campaign([{ date: '2012-03-11', size: 'rest' }], { window: { start: '01:00', end: '05:00' } }),
      unlocatedSources,
    );
    const [day] = calendar.waves[0] ?? [];
    expect(day?.windowStart).toBe('2012-03-11T01:00:00-08:00');
    expect(day?.windowEnd).toBe('2012-03-11T05:00:00-07:00');
    expect((Date.parse(day?.windowEnd ?? '') - Date.parse(day?.windowStart ?? '')) / 3_600_000).toBe(3);
  });

  it('moves a window start that falls in the spring-forward gap to the first instant that exists', () => {
    const calendar = campaignCalendar(
      campaign([{ date: '2012-03-11', size: 'rest' }], { window: { start: '02:30', end: '06:00' } }),
      unlocatedSources,
    );
    expect(calendar.waves[0]?.[0]?.windowStart).toBe('2012-03-11T03:30:00-07:00');
  });

  it('refuses a window that ends before it starts, a backwards range and overlapping waves, all at once', () => {
    const calendar = campaignCalendar(
      campaign(
        [
          { date: '2011-09-22', size: 5 },
          { dates: '2011-09-29..2011-09-27', size: 'rest' },
          { date: '2011-09-21', size: 3 },
        ],
        { window: { start: '18:00', end: '09:00' } },
      ),
      unlocatedSources,
    );
    expect(calendar.issues.map((issue) => `${issue.key}: ${issue.message}`)).toEqual([
      'window.end: the window ends at 09:00, not after it starts at 18:00',
      'waves.1.dates: the range 2011-09-29..2011-09-27 ends before it starts',
      'waves.2: wave 3 starts on 2011-09-21, not after wave 1 ends on 2011-09-22',
    ]);
  });

  it('refuses a range of more than a year (a mistyped year)', () => {
    const calendar = campaignCalendar(
      campaign([{ dates: '2011-09-27..2012-10-01', size: 'rest' }]),
      unlocatedSources,
    );
    expect(calendar.issues[0]?.message).toMatch(/spans 371 days/);
  });
});
