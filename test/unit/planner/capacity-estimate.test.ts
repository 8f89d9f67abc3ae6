import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/model/plan.js';
import { capacityWarning, estimateCapacity } from '../../../src/planner/capacity-estimate.js';
import { campaign, hardwareClass, servers } from './random-fleet.js';

// Per server: shutdown 5m/40m + start 1m/3m + upgrade (default) 1m/3m = 7m at p50, 46m at p95.
const fleet = [hardwareClass('alpha', servers('alpha', 12)), hardwareClass('beta', servers('beta', 12))];

const oneDay = (names: readonly [string, string][], windowEnd = '2011-09-20T18:00:00-07:00'): Plan => ({
  campaign: 'test',
  timezone: 'America/Los_Angeles',
  campaignFile: 'test.yaml',
  waves: [
    {
      index: 1,
      days: [
        {
          date: '2011-09-20',
          windowStart: '2011-09-20T09:00:00-07:00',
          windowEnd,
        },
      ],
      servers: names.map(([name, hardware]) => ({ name, class: hardware, date: '2011-09-20' })),
    },
  ],
});

describe('estimateCapacity', () => {
  it('divides the day’s work by the wave concurrency', () => {
    const plan = oneDay([
      ['alpha-db1', 'alpha'],
      ['alpha-db2', 'alpha'],
      ['beta-db1', 'beta'],
      ['beta-db2', 'beta'],
    ]);
    const [day] = estimateCapacity(
      plan,
      fleet,
      campaign([{ date: '2011-09-20', size: 'rest' }], { concurrency: { wave: 2 } }),
    );
    expect(day).toMatchObject({
      servers: 4,
      p50Ms: 14 * 60_000,
      p95Ms: 92 * 60_000,
      windowMs: 9 * 3_600_000,
      fit: 'fits',
    });
  });

  it('lets a class limit bound its own servers below the wave concurrency', () => {
    const plan = oneDay(
      Array.from({ length: 4 }, (_, index): [string, string] => [`alpha-db${index + 1}`, 'alpha']),
    );
    const [day] = estimateCapacity(
      plan,
      fleet,
      campaign([{ date: '2011-09-20', size: 'rest' }], { concurrency: { wave: 4, perClass: 1 } }),
    );
    expect(day?.p50Ms).toBe(4 * 7 * 60_000);
  });

  it('flags a day that fits only at p50 as tight, and one that does not fit at all as overrunning', () => {
    const names = Array.from({ length: 12 }, (_, index): [string, string] => [
      `alpha-db${index + 1}`,
      'alpha',
    ]);
    const [tight] = estimateCapacity(oneDay(names), fleet, campaign([{ date: '2011-09-20', size: 'rest' }]));
    expect(tight?.fit).toBe('tight');
    expect(capacityWarning(tight ?? ({} as never))).toMatch(/may overrun its 9h00m00s window at p95/);

    const short = campaign([{ date: '2011-09-20', size: 'rest' }], {
      window: { start: '09:00', end: '10:00' },
    });
    const oneHour = oneDay(names, '2011-09-20T10:00:00-07:00');
    const [overrun] = estimateCapacity(oneHour, fleet, short);
    expect(overrun?.fit).toBe('overruns');
  });

  it('says nothing about a day that fits', () => {
    const [day] = estimateCapacity(
      oneDay([['alpha-db1', 'alpha']]),
      fleet,
      campaign([{ date: '2011-09-20', size: 'rest' }]),
    );
    expect(day && capacityWarning(day)).toBeUndefined();
  });
});
