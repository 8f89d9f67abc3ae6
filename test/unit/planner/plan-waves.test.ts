import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import type { Plan } from '../../../src/model/plan.js';
import { checkPlan } from '../../../src/planner/check-plan.js';
import { planWaves } from '../../../src/planner/plan-waves.js';
import { campaign, hardwareClass, servers } from './random-fleet.js';

const sourceCaseWaves = [
  { date: '2011-09-20', size: 30 },
  { date: '2011-09-22', size: 50 },
  { dates: '2011-09-27..2011-09-29', size: 'rest' },
];

const fleet = [
  hardwareClass('ix-6drive-phx-old', servers('old', 40, 3), 'phx1'),
  hardwareClass('ix-24drive-phx-new', servers('new', 50, 4), 'phx2'),
  hardwareClass('cuil-9drive-scl2', servers('cuil', 40, 3, 2), 'scl2'),
];

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

const errorOf = (action: () => unknown): InputError => {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
};

describe('planWaves on the source case', () => {
  const plan = planWaves(fleet, campaign(sourceCaseWaves));

  it('makes waves of 30, 50 and the rest (50)', () => {
    expect(plan.waves.map((wave) => wave.servers.length)).toEqual([30, 50, 50]);
  });

  it('puts every class in every wave in proportion to its size', () => {
    expect(plan.waves.map((wave) => countBy(wave.servers, (server) => server.class))).toEqual([
      { 'cuil-9drive-scl2': 9, 'ix-24drive-phx-new': 12, 'ix-6drive-phx-old': 9 },
      // 40 × 80 / 130 = 24.6 by the end of wave 2 for each 40-server class: one rounds up, one down.
      { 'cuil-9drive-scl2': 16, 'ix-24drive-phx-new': 19, 'ix-6drive-phx-old': 15 },
      { 'cuil-9drive-scl2': 15, 'ix-24drive-phx-new': 19, 'ix-6drive-phx-old': 16 },
    ]);
  });

  it('puts every class on every day of the three-day wave', () => {
    const lastWave = plan.waves[2];
    for (const day of lastWave?.days ?? []) {
      const classes = new Set(
        lastWave?.servers.filter((server) => server.date === day.date).map((server) => server.class),
      );
      expect(classes.size).toBe(3);
    }
  });

  it('spreads each class across its md layouts inside a wave', () => {
    const layoutOf = new Map(
      fleet.flatMap((entry) => entry.servers.map((server) => [server.name, server.mdLayout])),
    );
    const firstWaveOld =
      plan.waves[0]?.servers.filter((server) => server.class === 'ix-6drive-phx-old') ?? [];
    // 9 of 40 servers spread over 3 layouts of about 13 each: 3 of each.
    expect(countBy(firstWaveOld, (server) => layoutOf.get(server.name) ?? '-')).toEqual({
      raid10: 3,
      raid5: 3,
      raid6: 3,
    });
  });

  it('lists each wave day by day, in date order', () => {
    const dates = plan.waves[2]?.servers.map((server) => server.date) ?? [];
    expect(dates).toEqual([...dates].sort());
  });

  it('is deterministic and independent of the order of class files and servers', () => {
    const shuffled = [...fleet]
      .reverse()
      .map((entry) => ({ ...entry, servers: [...entry.servers].reverse() }));
    expect(planWaves(shuffled, campaign(sourceCaseWaves))).toEqual(plan);
  });

  it('passes its own check', () => {
    expect(checkPlan(plan, fleet, campaign(sourceCaseWaves)).violations).toEqual([]);
  });
});

describe('planWaves and replication topology', () => {
  const clustered = [
    hardwareClass('alpha', [
      { name: 'users-db1', host: 'users-db1.example.net', cluster: 'users', role: 'primary' },
      ...servers('alpha', 8),
    ]),
    hardwareClass('beta', [
      { name: 'users-db2', host: 'users-db2.example.net', cluster: 'users', role: 'replica' },
      { name: 'users-db3', host: 'users-db3.example.net', cluster: 'users', role: 'replica' },
      ...servers('beta', 7),
    ]),
  ];
  const plan = planWaves(
    clustered,
    campaign([
      { date: '2011-09-20', size: 6 },
      { dates: '2011-09-22..2011-09-23', size: 'rest' },
    ]),
  );
  const position = (name: string): [number, string, number] => {
    for (const wave of plan.waves) {
      const index = wave.servers.findIndex((server) => server.name === name);
      const server = wave.servers[index];
      if (server) return [wave.index, server.date, index];
    }
    throw new Error(`${name} not planned`);
  };

  it('never runs a primary before a replica of its cluster, even across classes', () => {
    const primary = position('users-db1');
    for (const replica of ['users-db2', 'users-db3']) {
      const at = position(replica);
      expect(primary[0] > at[0] || (primary[0] === at[0] && (primary[1] > at[1] || primary[2] > at[2]))).toBe(
        true,
      );
    }
  });

  it('refuses a role without a cluster and two primaries in one cluster', () => {
    const error = errorOf(() =>
      planWaves(
        [
          hardwareClass('alpha', [
            { name: 'a1', host: 'a1.example.net', role: 'primary' },
            { name: 'a2', host: 'a2.example.net', cluster: 'c', role: 'primary' },
            { name: 'a3', host: 'a3.example.net', cluster: 'c', role: 'primary' },
          ]),
        ],
        campaign([{ date: '2011-09-20', size: 'rest' }]),
      ),
    );
    expect(error.issues.map((issue) => `${issue.file}: ${issue.key}: ${issue.message}`)).toEqual([
      'alpha.yaml: servers.0.role: role: primary needs a cluster: name the replication cluster this server belongs to',
      'alpha.yaml: servers.2.role: cluster c has two primaries, a2 and a3',
    ]);
  });
});

describe('planWaves refuses impossible requests', () => {
  it('names the class that is smaller than the number of waves', () => {
    const error = errorOf(() =>
      planWaves(
        [hardwareClass('big', servers('big', 20)), hardwareClass('tiny', servers('tiny', 2))],
        campaign(sourceCaseWaves.map((wave) => ({ ...wave, size: wave.size === 'rest' ? 'rest' : 5 }))),
      ),
    );
    expect(error.message).toBe(
      'tiny.yaml: servers: class tiny has 2 servers, fewer than the 3 waves it must be in',
    );
  });

  it('names the wave that is smaller than the number of classes', () => {
    const error = errorOf(() =>
      planWaves(
        [
          hardwareClass('a', servers('a', 5)),
          hardwareClass('b', servers('b', 5)),
          hardwareClass('c', servers('c', 5)),
        ],
        campaign([
          { date: '2011-09-20', size: 2 },
          { date: '2011-09-21', size: 'rest' },
        ]),
      ),
    );
    expect(error.issues[0]?.key).toBe('waves.0.size');
    expect(error.issues[0]?.message).toMatch(/^wave 1 holds 2 servers, fewer than the 3 hardware classes/);
  });

  it('lists every problem of the campaign at once', () => {
    const error = errorOf(() =>
      planWaves(
        [hardwareClass('a', servers('a', 5))],
        campaign(
          [
            { date: '2011-09-20', size: 'rest' },
            { date: '2011-09-20', size: 'rest' },
          ],
          { window: { start: '10:00', end: '10:00' } },
        ),
      ),
    );
    expect(error.issues.map((issue) => issue.key)).toEqual(['window.end', 'waves.1', 'waves.1.size']);
  });
});

describe('the plan it returns', () => {
  it('records the campaign file and the capacity of every day', () => {
    const plan: Plan = planWaves(fleet, campaign(sourceCaseWaves), { campaignFile: 'mysql-5.1.58.yaml' });
    expect(plan.campaignFile).toBe('mysql-5.1.58.yaml');
    expect(plan.waves[0]?.days[0]?.capacity).toMatchObject({
      servers: 30,
      concurrency: 1,
      window: '9h00m00s',
    });
  });
});
