import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedFailures, failureBudgetExceeded } from '../../../src/engine/wave/failure-budget.js';
import {
  blockedForever,
  nextServer,
  type SchedulableServer,
  type WaveDirection,
} from '../../../src/engine/wave/wave-scheduler.js';

const serverArbitrary = fc.record({
  class: fc.constantFrom('ix-6', 'ix-24', 'cuil-9'),
  cluster: fc.option(fc.constantFrom('c1', 'c2', 'c3'), { nil: undefined }),
  replica: fc.boolean(),
});

const waveArbitrary = fc.array(serverArbitrary, { minLength: 1, maxLength: 14 }).map((specs) => {
  const primaries = new Set<string>();
  return specs.map((spec, index): SchedulableServer => {
    const isPrimary = spec.cluster !== undefined && !spec.replica && !primaries.has(spec.cluster);
    if (isPrimary && spec.cluster) primaries.add(spec.cluster);
    return {
      name: `db${index}`,
      class: spec.class,
      ...(spec.cluster === undefined
        ? {}
        : { cluster: spec.cluster, role: isPrimary ? 'primary' : 'replica' }),
    };
  });
});

/** Runs a wave to the end in the scheduler alone; `order` picks which in-flight server ends next. */
function simulate(
  wave: readonly SchedulableServer[],
  limits: { wave: number; perClass: number | undefined },
  order: readonly number[],
  fails: (server: SchedulableServer) => boolean = () => false,
  direction: WaveDirection = 'upgrade',
) {
  const pending = [...wave];
  const inFlight: SchedulableServer[] = [];
  const finished = new Map<string, 'succeeded' | 'failed'>();
  const snapshots: SchedulableServer[][] = [];
  const startOrder: string[] = [];
  let tick = 0;
  for (;;) {
    const next = nextServer(
      { pending, inFlight, finished, wave, direction },
      { wave: limits.wave, perClass: () => limits.perClass },
    );
    if (next) {
      pending.splice(pending.indexOf(next), 1);
      inFlight.push(next);
      startOrder.push(next.name);
      snapshots.push([...inFlight]);
      continue;
    }
    if (inFlight.length === 0) break;
    const index = (order[tick++ % Math.max(1, order.length)] ?? 0) % inFlight.length;
    const [done] = inFlight.splice(index, 1);
    if (done) finished.set(done.name, fails(done) ? 'failed' : 'succeeded');
  }
  return { snapshots, startOrder, finished, pending };
}

const limitsArbitrary = fc.record({
  wave: fc.integer({ min: 1, max: 5 }),
  perClass: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
});

describe('the wave scheduler', () => {
  it('never has two servers of one cluster in flight at once', () => {
    fc.assert(
      fc.property(waveArbitrary, limitsArbitrary, fc.array(fc.nat()), (wave, limits, order) => {
        for (const inFlight of simulate(wave, limits, order).snapshots) {
          const clusters = inFlight.flatMap((server) => (server.cluster ? [server.cluster] : []));
          expect(new Set(clusters).size).toBe(clusters.length);
        }
      }),
    );
  });

  it('keeps within the wave and per-class limits', () => {
    fc.assert(
      fc.property(waveArbitrary, limitsArbitrary, fc.array(fc.nat()), (wave, limits, order) => {
        for (const inFlight of simulate(wave, limits, order).snapshots) {
          expect(inFlight.length).toBeLessThanOrEqual(limits.wave);
          if (limits.perClass === undefined) continue;
          for (const name of new Set(inFlight.map((server) => server.class))) {
            expect(inFlight.filter((server) => server.class === name).length).toBeLessThanOrEqual(
              limits.perClass,
            );
          }
        }
      }),
    );
  });

  it('starts a primary only after every replica of its cluster in the wave has finished', () => {
    fc.assert(
      fc.property(waveArbitrary, limitsArbitrary, fc.array(fc.nat()), (wave, limits, order) => {
        const { startOrder } = simulate(wave, limits, order);
        for (const primary of wave.filter((server) => server.role === 'primary')) {
          const replicas = wave.filter(
            (server) => server.cluster === primary.cluster && server.role === 'replica',
          );
          for (const replica of replicas) {
            expect(startOrder.indexOf(replica.name)).toBeLessThan(startOrder.indexOf(primary.name));
          }
        }
      }),
    );
  });

  it('runs every server of a wave when nothing fails', () => {
    fc.assert(
      fc.property(waveArbitrary, limitsArbitrary, fc.array(fc.nat()), (wave, limits, order) => {
        expect(simulate(wave, limits, order).finished.size).toBe(wave.length);
      }),
    );
  });

  it('never starts a primary whose replica failed', () => {
    const wave: SchedulableServer[] = [
      { name: 'r1', class: 'a', cluster: 'c', role: 'replica' },
      { name: 'p1', class: 'a', cluster: 'c', role: 'primary' },
    ];
    const { startOrder } = simulate(
      wave,
      { wave: 2, perClass: undefined },
      [0],
      (server) => server.name === 'r1',
    );
    expect(startOrder).toEqual(['r1']);
  });

  it('rolls back a primary before every replica of its cluster, whatever the plan order', () => {
    fc.assert(
      fc.property(waveArbitrary, limitsArbitrary, fc.array(fc.nat()), (wave, limits, order) => {
        const { startOrder, finished } = simulate(wave, limits, order, () => false, 'downgrade');
        expect(finished.size).toBe(wave.length);
        for (const primary of wave.filter((server) => server.role === 'primary')) {
          const replicas = wave.filter(
            (server) => server.cluster === primary.cluster && server.role === 'replica',
          );
          for (const replica of replicas) {
            expect(startOrder.indexOf(primary.name)).toBeLessThan(startOrder.indexOf(replica.name));
          }
        }
      }),
    );
  });

  it('never rolls back a replica whose primary could not be rolled back, and says why', () => {
    const wave: SchedulableServer[] = [
      { name: 'r1', class: 'a', cluster: 'c', role: 'replica' },
      { name: 'p1', class: 'a', cluster: 'c', role: 'primary' },
      { name: 'solo', class: 'a' },
    ];
    const { startOrder, finished, pending } = simulate(
      wave,
      { wave: 3, perClass: undefined },
      [0],
      (server) => server.name === 'p1',
      'downgrade',
    );
    expect(startOrder).toEqual(['p1', 'solo']);
    expect(blockedForever({ pending, inFlight: [], finished, wave, direction: 'downgrade' })).toEqual([
      {
        server: 'r1',
        reason:
          'its primary p1 did not roll back; a replica never goes back before its primary (it would replicate from a newer version)',
      },
    ]);
  });
});

describe('the failure budget', () => {
  it('halts when exceeded, not when reached', () => {
    expect(failureBudgetExceeded(1, 1, 10)).toBe(false);
    expect(failureBudgetExceeded(2, 1, 10)).toBe(true);
    expect(failureBudgetExceeded(1, 0, 10)).toBe(true);
  });

  it('reads a percentage of the wave, rounded down', () => {
    expect(allowedFailures('10%', 30)).toBe(3);
    expect(allowedFailures('10%', 9)).toBe(0);
    expect(failureBudgetExceeded(3, '10%', 30)).toBe(false);
    expect(failureBudgetExceeded(4, '10%', 30)).toBe(true);
  });
});

describe('the wave scheduler, when classes expect different times', () => {
  const wave: SchedulableServer[] = [
    { name: 'small1', class: 'small' },
    { name: 'small2', class: 'small' },
    { name: 'large1', class: 'large' },
    { name: 'medium1', class: 'medium' },
    { name: 'large2', class: 'large' },
  ];
  const expected: Record<string, number> = { small: 60_000, medium: 120_000, large: 300_000 };
  const limits = { wave: 2, perClass: () => undefined, expectedMs: (name: string) => expected[name] };

  /** The order servers start in when each slot frees as soon as the next server may start. */
  function startOrder(
    schedulerLimits: typeof limits | { wave: number; perClass: () => undefined },
  ): string[] {
    const pending = [...wave];
    const started: string[] = [];
    for (;;) {
      const next = nextServer({ pending, inFlight: [], finished: new Map(), wave }, schedulerLimits);
      if (next === undefined) return started;
      started.push(next.name);
      pending.splice(pending.indexOf(next), 1);
    }
  }

  it('starts the longest-expected server first, plan order among equals', () => {
    expect(startOrder(limits)).toEqual(['large1', 'large2', 'medium1', 'small1', 'small2']);
  });

  it('keeps the plan order when no class says what it expects', () => {
    expect(startOrder({ wave: 2, perClass: () => undefined })).toEqual(wave.map((server) => server.name));
  });

  it('still keeps every limit: a longer server that may not start yields to one that may', () => {
    const next = nextServer(
      { pending: wave, inFlight: [wave[2] as SchedulableServer], finished: new Map(), wave },
      { ...limits, perClass: (name: string) => (name === 'large' ? 1 : undefined) },
    );
    expect(next?.name).toBe('medium1');
  });

  it('never breaks the scheduling rules, whatever the expected times', () => {
    fc.assert(
      fc.property(
        waveArbitrary,
        fc.record({ 'ix-6': fc.nat(), 'ix-24': fc.nat(), 'cuil-9': fc.nat() }),
        (servers, times) => {
          const pending = [...servers];
          const inFlight: SchedulableServer[] = [];
          const finished = new Map<string, 'succeeded' | 'failed'>();
          const schedulerLimits = {
            wave: 2,
            perClass: () => undefined,
            expectedMs: (name: string) => times[name as keyof typeof times],
          };
          while (pending.length > 0 || inFlight.length > 0) {
            const next = nextServer({ pending, inFlight, finished, wave: servers }, schedulerLimits);
            if (next !== undefined) {
              expect(
                inFlight.some((server) => server.cluster !== undefined && server.cluster === next.cluster),
              ).toBe(false);
              inFlight.push(next);
              pending.splice(pending.indexOf(next), 1);
              continue;
            }
            const done = inFlight.shift();
            if (done === undefined) break;
            finished.set(done.name, 'succeeded');
          }
          expect(finished.size).toBe(servers.length);
        },
      ),
    );
  });
});
