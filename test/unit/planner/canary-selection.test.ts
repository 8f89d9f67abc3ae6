import { describe, expect, it } from 'vitest';
import { canarySchema } from '../../../src/model/campaign-schema.js';
import type { Plan, PlannedWave } from '../../../src/model/plan.js';
import { canaryIssues, canaryServers, plannedCanaries } from '../../../src/planner/canary-selection.js';
import { hardwareClass } from './random-fleet.js';

const day = { date: '2026-11-24', windowStart: '2026-11-24T02:00:00Z', windowEnd: '2026-11-24T06:00:00Z' };
const wave = (index: number, servers: [name: string, className: string][]): PlannedWave => ({
  index,
  days: [day],
  servers: servers.map(([name, className]) => ({ name, class: className, date: day.date })),
});
const plan: Plan = {
  campaign: 'test',
  timezone: 'UTC',
  campaignFile: 'test.yaml',
  waves: [
    wave(1, [
      ['a-r1', 'a'],
      ['b-1', 'b'],
      ['a-p1', 'a'],
      ['b-2', 'b'],
      ['c-1', 'c'],
    ]),
    wave(2, [
      ['a-2', 'a'],
      ['b-3', 'b'],
    ]),
  ],
};
// a-r1 replicates from a-p1 (cluster a); the rest stand alone.
const classes = [
  hardwareClass('a', [
    { name: 'a-r1', host: 'a-r1.example.net', cluster: 'ca', role: 'replica' },
    { name: 'a-p1', host: 'a-p1.example.net', cluster: 'ca', role: 'primary' },
    { name: 'a-2', host: 'a-2.example.net' },
  ]),
  hardwareClass('b', [
    { name: 'b-1', host: 'b-1.example.net' },
    { name: 'b-2', host: 'b-2.example.net' },
    { name: 'b-3', host: 'b-3.example.net' },
  ]),
  hardwareClass('c', [{ name: 'c-1', host: 'c-1.example.net' }]),
];
const locate = (key: readonly (string | number)[]) => ({ file: 'waves/test.yaml', line: 40 + key.length });

describe('canary selection', () => {
  it("picks the first perClass servers of each class in the wave's execution order", () => {
    const canary = canarySchema.parse({ perClass: 1, bake: '2h' });
    expect(canaryServers(plan.waves[0] as PlannedWave, canary).map((server) => server.name)).toEqual([
      'a-r1',
      'b-1',
      'c-1',
    ]);
    const two = canarySchema.parse({ perClass: 2, bake: '2h' });
    expect(plannedCanaries(plan, two, classes).get(1)).toEqual(['a-r1', 'b-1', 'b-2', 'c-1']);
  });

  it('is the same for the same plan, whatever order the named servers are written in', () => {
    const canary = canarySchema.parse({ servers: ['c-1', 'a-p1', 'a-r1'], bake: '30m' });
    expect(plannedCanaries(plan, canary, classes)).toEqual(new Map([[1, ['a-r1', 'a-p1', 'c-1']]]));
  });

  it('has no canaries without a canary stage, and only ever in the first wave', () => {
    expect(plannedCanaries(plan, undefined, classes).size).toBe(0);
    expect([
      ...plannedCanaries(plan, canarySchema.parse({ perClass: 1, bake: '1h' }), classes).keys(),
    ]).toEqual([1]);
  });

  it('refuses a named server outside the first wave, and one not in the fleet, naming file, line and key', () => {
    const canary = canarySchema.parse({ servers: ['a-r1', 'b-3', 'nope'], bake: '30m' });
    expect(canaryIssues(plan, canary, classes, locate)).toEqual([
      {
        file: 'waves/test.yaml',
        line: 43,
        key: 'canary.servers.1',
        message: 'b-3 is in wave 2, not in the first wave: a canary must run in wave 1',
      },
      {
        file: 'waves/test.yaml',
        line: 43,
        key: 'canary.servers.2',
        message: 'nope is not a server of the fleet',
      },
    ]);
  });

  it("refuses perClass larger than a class's share of the first wave", () => {
    const canary = canarySchema.parse({ perClass: 2, bake: '2h' });
    expect(canaryIssues(plan, canary, classes, locate)).toEqual([
      {
        file: 'waves/test.yaml',
        line: 42,
        key: 'canary.perClass',
        message:
          'is 2, but wave 1 has only 1 server(s) of class a that can go first (a primary with a replica in the wave cannot): at most 1',
      },
      {
        file: 'waves/test.yaml',
        line: 42,
        key: 'canary.perClass',
        message:
          'is 2, but wave 1 has only 1 server(s) of class c that can go first (a primary with a replica in the wave cannot): at most 1',
      },
    ]);
    expect(canaryIssues(plan, canarySchema.parse({ perClass: 1, bake: '2h' }), classes, locate)).toEqual([]);
  });

  it('never picks a primary whose replica is in the wave, and refuses one named without its replica', () => {
    const one = canarySchema.parse({ perClass: 1, bake: '2h' });
    expect(canaryServers(plan.waves[0] as PlannedWave, one).map((server) => server.name)).toContain('a-r1');
    const named = canarySchema.parse({ servers: ['a-p1'], bake: '30m' });
    expect(canaryIssues(plan, named, classes, locate).map((issue) => issue.message)).toEqual([
      'a-p1 is a primary whose replica(s) a-r1 in wave 1 are not canaries: replicas go before their primary, so name them too',
    ]);
  });

  it('takes perClass or servers, not both and not neither, and a bake with a unit', () => {
    expect(canarySchema.safeParse({ perClass: 1, servers: ['a'], bake: '1h' }).success).toBe(false);
    expect(canarySchema.safeParse({ bake: '1h' }).success).toBe(false);
    expect(canarySchema.safeParse({ perClass: 1, bake: 2 }).success).toBe(false);
    expect(canarySchema.parse({ perClass: 1, bake: '2h' })).toEqual({
      perClass: 1,
      bake: 7_200_000,
      every: 600_000,
    });
  });
});
