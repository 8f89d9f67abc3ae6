import { describe, expect, it } from 'vitest';
import type { Plan, PlannedWave } from '../../../src/model/plan.js';
import { checkPlan } from '../../../src/planner/check-plan.js';
import { planWaves } from '../../../src/planner/plan-waves.js';
import { campaign, hardwareClass, servers } from './random-fleet.js';

const fleet = [
  hardwareClass('alpha', [
    { name: 'users-db1', host: 'users-db1.example.net', cluster: 'users', role: 'primary' },
    { name: 'users-db2', host: 'users-db2.example.net', cluster: 'users', role: 'replica' },
    ...servers('alpha', 6),
  ]),
  hardwareClass('beta', servers('beta', 6)),
];
const theCampaign = campaign(
  [
    { date: '2011-09-20', size: 4 },
    { dates: '2011-09-27..2011-09-29', size: 'rest' },
  ],
  { blackout: ['2011-09-28'] },
);
const plan = planWaves(fleet, theCampaign);

const editWave = (index: number, edit: (wave: PlannedWave) => PlannedWave): Plan => ({
  ...plan,
  waves: plan.waves.map((wave, position) => (position === index ? edit(wave) : wave)),
});
const messages = (edited: Plan): string[] =>
  checkPlan(edited, fleet, theCampaign).violations.map(
    (violation) => `${violation.key.join('.')}: ${violation.message}`,
  );

describe('checkPlan', () => {
  it('accepts the plan the planner wrote', () => {
    expect(checkPlan(plan, fleet, theCampaign)).toEqual({ violations: [], warnings: [] });
  });

  it('finds a server planned twice and a server in no wave', () => {
    const [first, second] = plan.waves;
    const moved = first?.servers[0];
    if (!moved || !second) throw new Error('fixture');
    const edited = editWave(1, (wave) => ({
      ...wave,
      servers: wave.servers.map((server, index) => (index === 0 ? { ...moved, date: server.date } : server)),
    }));
    const dropped = second.servers[0]?.name;
    expect(messages(edited)).toEqual(
      expect.arrayContaining([
        `waves.1.servers.0: ${moved.name} is planned twice: also at waves.0.servers.0`,
        `waves: ${dropped} (class ${second.servers[0]?.class}) is in no wave`,
      ]),
    );
  });

  it('finds a server of another class, an unknown server and a class missing from a wave', () => {
    const relabelled = editWave(0, (wave) => ({
      ...wave,
      servers: wave.servers.map((server) =>
        server.class === 'beta' ? { ...server, class: 'alpha' } : server,
      ),
    }));
    const withoutBeta = editWave(0, (wave) => ({
      ...wave,
      servers: wave.servers.filter((server) => server.class !== 'beta'),
    }));
    const unknown = editWave(1, (wave) => ({
      ...wave,
      servers: [...wave.servers, { name: 'ghost', class: 'alpha', date: '2011-09-27' }],
    }));
    expect(messages(relabelled).some((message) => /is of class beta, not alpha/.test(message))).toBe(true);
    expect(messages(withoutBeta)).toContain('waves.0.servers: wave 1 has no server of class beta');
    expect(messages(unknown)).toContain(
      `waves.1.servers.${plan.waves[1]?.servers.length}.name: ghost is not a server of the fleet`,
    );
  });

  it('finds a blackout day, a day outside the wave, a server on a day not of its wave and a changed window', () => {
    const edited = editWave(1, (wave) => ({
      ...wave,
      days: [
        {
          ...wave.days[0],
          date: '2011-09-28',
          windowStart: '2011-09-28T09:00:00-07:00',
          windowEnd: '2011-09-28T18:00:00-07:00',
        },
        {
          date: '2011-09-30',
          windowStart: '2011-09-30T08:00:00-07:00',
          windowEnd: '2011-09-30T18:00:00-07:00',
        },
      ],
    }));
    const found = messages(edited);
    expect(found).toEqual(
      expect.arrayContaining([
        'waves.1.days.0.date: 2011-09-28 is a blackout day',
        "waves.1.days.1.date: 2011-09-30 is not a day of the campaign's wave 2",
      ]),
    );
    expect(found.some((message) => /runs on 2011-09-27, which is not a day of wave 2/.test(message))).toBe(
      true,
    );
  });

  it('finds a primary put before its replica', () => {
    const swapped = plan.waves.map((wave) => ({
      ...wave,
      servers: wave.servers.map((server) =>
        server.name === 'users-db1'
          ? { ...server, name: 'users-db2' }
          : server.name === 'users-db2'
            ? { ...server, name: 'users-db1' }
            : server,
      ),
    }));
    const found = messages({ ...plan, waves: swapped });
    expect(
      found.some((message) =>
        /primary users-db1 (is in an earlier wave than|runs on an earlier day than|runs before) its replica users-db2/.test(
          message,
        ),
      ),
    ).toBe(true);
  });

  it('lists every violation, not the first', () => {
    const edited: Plan = { ...plan, campaign: 'other', timezone: 'UTC', waves: plan.waves.slice(0, 1) };
    expect(messages(edited).length).toBeGreaterThanOrEqual(4);
  });

  it('warns, without failing, when a wave’s size differs from the campaign’s', () => {
    const moved = plan.waves[1]?.servers.find(
      (server) => server.class === 'alpha' && server.name.startsWith('alpha'),
    );
    if (!moved) throw new Error('fixture');
    const edited: Plan = {
      ...plan,
      waves: plan.waves.map((wave, index) =>
        index === 0
          ? { ...wave, servers: [...wave.servers, { ...moved, date: '2011-09-20' }] }
          : { ...wave, servers: wave.servers.filter((server) => server !== moved) },
      ),
    };
    const result = checkPlan(edited, fleet, theCampaign);
    expect(result.violations).toEqual([]);
    expect(result.warnings.map((warning) => warning.message)).toEqual([
      'wave 1 has 5 servers; the campaign asks for 4',
      'wave 2 has 9 servers; the campaign asks for 10',
    ]);
  });
});

describe('checkPlan and window instants', () => {
  it('accepts a window rewritten in UTC, and refuses one moved by an hour', () => {
    const inUtc = editWave(0, (wave) => ({
      ...wave,
      days: wave.days.map((day) => ({ ...day, windowStart: '2011-09-20T16:00:00Z' })),
    }));
    const moved = editWave(0, (wave) => ({
      ...wave,
      days: wave.days.map((day) => ({ ...day, windowStart: '2011-09-20T10:00:00-07:00' })),
    }));
    expect(messages(inUtc)).toEqual([]);
    expect(messages(moved)).toEqual([
      'waves.0.days.0.windowStart: the window starts at 2011-09-20T09:00:00-07:00, not 2011-09-20T10:00:00-07:00',
    ]);
  });
});
