import fc from 'fast-check';
import { type Campaign, campaignSchema } from '../../../src/model/campaign-schema.js';
import { type HardwareClass, hardwareClassSchema } from '../../../src/model/hardware-class-schema.js';

/** The shape of a random but feasible planning request: every class fits in every wave. */
export interface RandomRequest {
  readonly fleet: HardwareClass[];
  readonly campaign: Campaign;
}

const LAYOUTS = ['raid10', 'raid5', 'raid6', 'raid1'];
const DATACENTERS = ['phx1', 'phx2', 'scl2'];

export function hardwareClass(
  id: string,
  servers: readonly Record<string, unknown>[],
  datacenter = 'phx1',
): HardwareClass {
  return hardwareClassSchema.parse({
    id,
    description: id,
    datacenter,
    drives: 6,
    expected: { shutdown: { p50: '5m', p95: '40m' }, start: { p50: '1m', p95: '3m' } },
    servers,
  });
}

export function campaign(
  waves: readonly Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Campaign {
  return campaignSchema.parse({
    campaign: 'test',
    fleet: 'fleet',
    timezone: 'America/Los_Angeles',
    from: { version: '5.1.44' },
    to: { version: '5.1.58' },
    window: { start: '09:00', end: '18:00' },
    waves,
    ...extra,
  });
}

/** `count` servers named `<prefix>-dbN`, spread over md layouts and datacenters. */
export function servers(
  prefix: string,
  count: number,
  layouts = 1,
  datacenters = 1,
): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `${prefix}-db${index + 1}`,
    host: `${prefix}-db${index + 1}.example.net`,
    mdLayout: LAYOUTS[index % layouts],
    datacenter: DATACENTERS[Math.floor(index / layouts) % datacenters],
  }));
}

const day = (offset: number): string => {
  const date = new Date(Date.UTC(2011, 8, 1 + offset));
  return date.toISOString().slice(0, 10);
};

/**
 * Random fleets (1-5 classes, md layouts, datacenters, some replication clusters, possibly
 * spanning classes) and campaigns (1-4 waves, some over several days, fixed sizes and a rest).
 */
export function randomRequest(options: { readonly clusters: boolean }): fc.Arbitrary<RandomRequest> {
  return fc
    .record({
      classCount: fc.integer({ min: 1, max: 5 }),
      waveCount: fc.integer({ min: 1, max: 4 }),
      extras: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 5 }),
      layouts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
      datacenters: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }),
      shares: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 4 }),
      days: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }),
      clusterEvery: options.clusters ? fc.integer({ min: 1, max: 6 }) : fc.constant(0),
    })
    .map(({ classCount, waveCount, extras, layouts, datacenters, shares, days, clusterEvery }) => {
      const classes = Array.from({ length: classCount }, (_, index) => {
        const id = `class-${String.fromCharCode(97 + index)}`;
        return {
          id,
          list: servers(id, waveCount + (extras[index] ?? 0), layouts[index] ?? 1, datacenters[index] ?? 1),
        };
      });
      // Replication clusters of three (primary + two replicas) over the whole fleet, round-robin
      // over the classes so that some clusters span classes.
      if (clusterEvery > 0) {
        const all = classes.flatMap((entry) => entry.list);
        for (let start = 0, cluster = 0; start + 2 < all.length; start += clusterEvery * 3, cluster += 1) {
          [0, 1, 2].forEach((offset) => {
            const member = all[start + offset];
            if (member)
              Object.assign(member, { cluster: `c${cluster}`, role: offset === 0 ? 'primary' : 'replica' });
          });
        }
      }
      const fleet = classes.map((entry) => hardwareClass(entry.id, entry.list));
      const total = fleet.reduce((sum, entry) => sum + entry.servers.length, 0);
      // Fixed sizes for all waves but the last (rest), each at least the class count, leaving the
      // rest at least the class count too.
      const spare = total - classCount * waveCount;
      let left = spare;
      let nextDay = 0;
      const waves = Array.from({ length: waveCount }, (_, index) => {
        const length = days[index] ?? 1;
        const dates =
          length === 1 ? { date: day(nextDay) } : { dates: `${day(nextDay)}..${day(nextDay + length - 1)}` };
        nextDay += length + 1;
        if (index === waveCount - 1) return { ...dates, size: 'rest' };
        const extra = Math.floor((left * (shares[index] ?? 0)) / 100 / 2);
        left -= extra;
        return { ...dates, size: classCount + extra };
      });
      return { fleet, campaign: campaign(waves) };
    });
}
