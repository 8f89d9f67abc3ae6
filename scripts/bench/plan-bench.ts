/**
 * Planner benchmark: plans synthetic fleets of 130, 10,000 and 100,000 servers and prints the
 * time and heap each took, and how time grows with size (about linear: 10× the servers should
 * cost about 10× the time, give or take the sort's log factor).
 *
 * Run alone: `npx tsx scripts/bench/plan-bench.ts`; scripts/bench/main.ts calls {@link runPlanBench}.
 */
import { pathToFileURL } from 'node:url';
import { type Campaign, campaignSchema } from '../../src/model/campaign-schema.js';
import { type HardwareClass, hardwareClassSchema } from '../../src/model/hardware-class-schema.js';
import { planWaves } from '../../src/planner/plan-waves.js';

export interface PlanBenchResult {
  readonly servers: number;
  readonly classes: number;
  readonly waves: number;
  readonly milliseconds: number;
  /** Heap in use after planning minus before, MiB (a rough figure unless node runs with --expose-gc). */
  readonly heapMiB: number;
}

const LAYOUTS = ['raid10-n2', 'raid10-f2', 'raid5', 'raid6'];
const DATACENTERS = ['phx1', 'phx2', 'scl2'];

/** A fleet of `size` servers in 8 classes, 4 md layouts, 3 datacenters, one 3-server cluster per 30 servers. */
export function syntheticFleet(size: number): HardwareClass[] {
  const classCount = Math.min(8, Math.max(1, Math.floor(size / 16)));
  return Array.from({ length: classCount }, (_, classIndex) => {
    const count = Math.floor(size / classCount) + (classIndex < size % classCount ? 1 : 0);
    const servers = Array.from({ length: count }, (_, index) => {
      const name = `c${classIndex}-db${index + 1}`;
      const clusterSlot = index % 30;
      return {
        name,
        host: `${name}.${DATACENTERS[index % 3]}.example.net`,
        mdLayout: LAYOUTS[index % LAYOUTS.length],
        datacenter: DATACENTERS[Math.floor(index / LAYOUTS.length) % DATACENTERS.length],
        ...(clusterSlot < 3
          ? {
              cluster: `c${classIndex}-cl${Math.floor(index / 30)}`,
              role: clusterSlot === 0 ? 'primary' : 'replica',
            }
          : {}),
      };
    });
    return hardwareClassSchema.parse({
      id: `class-${classIndex}`,
      description: `synthetic class ${classIndex}`,
      datacenter: DATACENTERS[classIndex % 3],
      drives: 6,
      expected: { shutdown: { p50: '5m', p95: '40m' }, start: { p50: '1m', p95: '3m' } },
      servers,
    });
  });
}

/** Five waves: 10%, 15%, 20%, 25% and the rest over a working week. */
export function syntheticCampaign(): Campaign {
  return campaignSchema.parse({
    campaign: 'bench',
    fleet: 'fleet',
    timezone: 'America/Los_Angeles',
    from: { version: '5.1.44' },
    to: { version: '5.1.58' },
    window: { start: '09:00', end: '18:00' },
    blackout: ['2011-10-08', '2011-10-09'],
    waves: [
      { date: '2011-09-20', size: '10%' },
      { date: '2011-09-22', size: '15%' },
      { dates: '2011-09-27..2011-09-28', size: '20%' },
      { dates: '2011-09-29..2011-09-30', size: '25%' },
      { dates: '2011-10-03..2011-10-11', size: 'rest' },
    ],
    concurrency: { wave: 16, perClass: 4 },
  });
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export function benchPlan(size: number): PlanBenchResult {
  const fleet = syntheticFleet(size);
  const campaign = syntheticCampaign();
  planWaves(fleet, campaign); // warm-up: JIT, luxon's zone cache
  const heapBefore = heapUsed();
  const started = performance.now();
  const plan = planWaves(fleet, campaign);
  const milliseconds = performance.now() - started;
  const heapMiB = (heapUsed() - heapBefore) / 1024 / 1024;
  return { servers: size, classes: fleet.length, waves: plan.waves.length, milliseconds, heapMiB };
}

export const PLAN_BENCH_SIZES = [130, 10_000, 100_000] as const;

/** Plans each size, prints a line per size and the growth ratio, and returns the figures. */
export function runPlanBench(
  sizes: readonly number[] = PLAN_BENCH_SIZES,
  print: (line: string) => void = (line) => console.log(line),
): PlanBenchResult[] {
  print('planner: servers   classes  waves      time      heap');
  const results = sizes.map((size) => {
    const result = benchPlan(size);
    print(
      `planner: ${String(result.servers).padStart(7)}  ${String(result.classes).padStart(7)}  ${String(result.waves).padStart(5)}  ${result.milliseconds.toFixed(1).padStart(8)}ms  ${result.heapMiB.toFixed(1).padStart(6)}MiB`,
    );
    return result;
  });
  for (let index = 1; index < results.length; index += 1) {
    const previous = results[index - 1];
    const current = results[index];
    if (!previous || !current) continue;
    const sizeRatio = current.servers / previous.servers;
    const timeRatio = current.milliseconds / previous.milliseconds;
    print(
      `planner: ${previous.servers} -> ${current.servers} servers (×${sizeRatio.toFixed(0)}): time ×${timeRatio.toFixed(1)}, per server ${(
        (current.milliseconds / current.servers) * 1000
      ).toFixed(1)}µs vs ${((previous.milliseconds / previous.servers) * 1000).toFixed(1)}µs`,
    );
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runPlanBench();
