import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClaimRow, decideClaim } from '../../../src/engine/wave/claim-decision.js';
import type { SchedulableServer } from '../../../src/engine/wave/wave-scheduler.js';

const wave: SchedulableServer[] = [
  { name: 'db2', class: 'small', cluster: 'c1', role: 'replica' },
  { name: 'db1', class: 'small', cluster: 'c1', role: 'primary' },
  { name: 'db3', class: 'large' },
  { name: 'db4', class: 'large' },
  { name: 'db5', class: 'medium' },
];
const byName = (name: string): SchedulableServer =>
  wave.find((server) => server.name === name) as SchedulableServer;
const limits = { wave: 2, perClass: () => 1 };
const row = (
  server: string,
  runner: string,
  token: number,
  state: ClaimRow['state'],
  holderLive = true,
): ClaimRow => ({
  server,
  runner,
  token,
  state,
  holderLive,
});

function decide(candidates: string[], claims: ClaimRow[], token = 7, budget: number | string = 1) {
  return decideClaim({
    token,
    candidates: candidates.map(byName),
    wave,
    claims,
    earlierFinished: new Map(),
    limits,
    failureBudget: budget,
    waveSize: wave.length,
  });
}

describe("a claim decided from every runner's claims", () => {
  it('counts the servers other runners have in flight against the wave and class limits', () => {
    // Another runner runs db3 (large) and db5: the wave's 2 are taken, nothing starts here.
    expect(decide(['db4'], [row('db3', 'scl2', 3, 'running'), row('db5', 'scl2', 3, 'running')])).toEqual({
      kind: 'wait',
    });
    // Only db3 runs elsewhere: db4 is large too (perClass 1), db2 is free to go.
    expect(decide(['db4', 'db2'], [row('db3', 'scl2', 3, 'running')])).toMatchObject({
      kind: 'claim',
      server: { name: 'db2' },
    });
  });

  it('never starts a primary before its replica settled, whoever ran the replica', () => {
    expect(decide(['db1'], [row('db2', 'scl2', 3, 'running')])).toEqual({ kind: 'wait' });
    expect(decide(['db1'], [row('db2', 'scl2', 3, 'succeeded')])).toMatchObject({
      kind: 'claim',
      server: { name: 'db1' },
    });
    expect(decide(['db1'], [row('db2', 'scl2', 3, 'failed')], 7, 5)).toEqual({ kind: 'done' });
  });

  it('takes over a server whose runner is gone before anything else, limits or not', () => {
    const claims = [row('db3', 'phx1', 3, 'running', false), row('db5', 'scl2', 4, 'running')];
    expect(decide(['db4', 'db3'], claims)).toMatchObject({
      kind: 'take-over',
      server: { name: 'db3' },
      from: { runner: 'phx1' },
    });
    // Its own claim from before a restart (same token) is no take-over.
    expect(decide(['db3'], [row('db3', 'phx1', 7, 'running', false)])).toEqual({ kind: 'wait' });
  });

  it('halts every runner once the failures of all of them exceed the budget', () => {
    const claims = [row('db3', 'phx1', 3, 'failed'), row('db5', 'scl2', 4, 'failed')];
    expect(decide(['db4'], claims, 7, 1)).toMatchObject({
      kind: 'halt',
      reason: expect.stringMatching(/2 failed, the campaign allows 1/),
    });
    expect(decide(['db4'], claims, 7, 2)).toMatchObject({ kind: 'claim' });
  });

  it('gives a released server back as a resume, and waits while its share still runs elsewhere', () => {
    expect(decide(['db3'], [row('db3', 'phx1', 3, 'released')])).toMatchObject({
      kind: 'claim',
      resume: true,
    });
    expect(decide(['db3'], [row('db3', 'phx1', 3, 'running')])).toEqual({ kind: 'wait' });
    expect(decide(['db3'], [row('db3', 'phx1', 3, 'succeeded')])).toEqual({ kind: 'done' });
  });

  it('never lets runners together exceed the wave limit or run two of one cluster (any claim order)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(1, 2, 3), fc.boolean()), { maxLength: 40 }), (steps) => {
        const claims = new Map<string, ClaimRow>();
        for (const [runner, finishOne] of steps) {
          const running = [...claims.values()].filter((claim) => claim.state === 'running');
          if (finishOne && running[0]) claims.set(running[0].server, { ...running[0], state: 'succeeded' });
          const decision = decide(
            wave.map((server) => server.name),
            [...claims.values()],
            runner,
          );
          if (decision.kind === 'claim')
            claims.set(decision.server.name, row(decision.server.name, `r${runner}`, runner, 'running'));
          const now = [...claims.values()]
            .filter((claim) => claim.state === 'running')
            .map((claim) => byName(claim.server));
          expect(now.length).toBeLessThanOrEqual(limits.wave);
          const clusters = now.flatMap((server) => (server.cluster === undefined ? [] : [server.cluster]));
          expect(new Set(clusters).size).toBe(clusters.length);
        }
      }),
    );
  });
});
