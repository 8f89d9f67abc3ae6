import type { KeyPath } from '../core/source-locator.js';
import { unlocatedSources } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { Plan } from '../model/plan.js';
import { campaignCalendar } from './campaign-calendar.js';
import { clustersOf, type Fleet, type FleetServer, viewOf } from './fleet-view.js';
import { waveSizes } from './wave-sizes.js';

/** One broken rule in a plan, at a key of the plan file. */
export interface PlanViolation {
  readonly key: KeyPath;
  readonly message: string;
}

export interface PlanCheck {
  /** Broken rules: the plan must not run (exit 1). */
  readonly violations: readonly PlanViolation[];
  /** Departures a person may have meant, such as a wave size that differs from the campaign's. */
  readonly warnings: readonly PlanViolation[];
}

/**
 * Checks a plan (perhaps edited by a person) against its fleet and campaign: every fleet server
 * exactly once and in its own class; every class in every wave; the campaign's waves, days and
 * windows, no blackout day; every server on a day of its wave; primaries at or after their
 * replicas, across waves, days and execution order. Returns EVERY violation, not the first.
 *
 * The campaign and fleet are expected to be valid on their own (the loader checked them).
 */
export function checkPlan(plan: Plan, fleet: Fleet, campaign: Campaign): PlanCheck {
  const violations: PlanViolation[] = [];
  const warnings: PlanViolation[] = [];
  const fail = (key: KeyPath, message: string): void => {
    violations.push({ key, message });
  };
  const view = viewOf(fleet);

  if (plan.campaign !== campaign.campaign) {
    fail(
      ['campaign'],
      `the plan is for campaign ${plan.campaign}, but its campaign file is ${campaign.campaign}`,
    );
  }
  if (plan.timezone !== campaign.timezone) {
    fail(
      ['timezone'],
      `the plan's time zone ${plan.timezone} differs from the campaign's ${campaign.timezone}`,
    );
  }

  const calendar = campaignCalendar(campaign, unlocatedSources);
  if (plan.waves.length !== campaign.waves.length) {
    fail(['waves'], `the plan has ${plan.waves.length} waves, the campaign ${campaign.waves.length}`);
  }
  const blackout = new Set(campaign.blackout);

  // Where each fleet server is, by its position in the view: wave (0-based position in the
  // plan, -1 while it is in none), day position, execution position. Tables, not a map of
  // records by name: at 100,000 servers the records and lookups showed. A server's key path is
  // built only for a message, for the same reason. (The fleet is valid: its names are unique.)
  const placedWave = new Int32Array(view.servers.length).fill(-1);
  const placedDay = new Int32Array(view.servers.length);
  const placedOrder = new Int32Array(view.servers.length);
  const placementOf = (server: FleetServer): Placement | undefined => {
    const wave = placedWave[server.position] as number;
    if (wave < 0) return undefined;
    return { wave, day: placedDay[server.position] as number, order: placedOrder[server.position] as number };
  };
  const serverKey = (wave: number, order: number): KeyPath => ['waves', wave, 'servers', order];

  plan.waves.forEach((wave, waveIndex) => {
    const waveKey: KeyPath = ['waves', waveIndex];
    if (wave.index !== waveIndex + 1)
      fail([...waveKey, 'index'], `wave ${waveIndex + 1} is numbered ${wave.index}`);
    const expectedDays = calendar.waves[waveIndex] ?? [];
    const expectedByDate = new Map(expectedDays.map((day) => [day.date, day]));
    const dayPosition = new Map<string, number>();
    wave.days.forEach((day, dayIndex) => {
      const dayKey: KeyPath = [...waveKey, 'days', dayIndex];
      dayPosition.set(day.date, dayIndex);
      const expected = expectedByDate.get(day.date);
      if (blackout.has(day.date)) {
        fail([...dayKey, 'date'], `${day.date} is a blackout day`);
      } else if (expected === undefined) {
        fail([...dayKey, 'date'], `${day.date} is not a day of the campaign's wave ${waveIndex + 1}`);
      } else {
        if (!sameInstant(day.windowStart, expected.windowStart)) {
          fail(
            [...dayKey, 'windowStart'],
            `the window starts at ${expected.windowStart}, not ${day.windowStart}`,
          );
        }
        if (!sameInstant(day.windowEnd, expected.windowEnd)) {
          fail([...dayKey, 'windowEnd'], `the window ends at ${expected.windowEnd}, not ${day.windowEnd}`);
        }
      }
      const previous = wave.days[dayIndex - 1];
      if (previous !== undefined && previous.date >= day.date) {
        fail([...dayKey, 'date'], `${day.date} does not come after the previous day ${previous.date}`);
      }
    });

    const classesInWave = new Set<string>();
    wave.servers.forEach((server, order) => {
      const known = view.byName.get(server.name);
      if (known === undefined) {
        fail([...serverKey(waveIndex, order), 'name'], `${server.name} is not a server of the fleet`);
        return;
      }
      if (known.classId !== server.class) {
        fail(
          [...serverKey(waveIndex, order), 'class'],
          `${server.name} is of class ${known.classId}, not ${server.class}`,
        );
      }
      classesInWave.add(known.classId);
      const day = dayPosition.get(server.date);
      if (day === undefined) {
        fail(
          [...serverKey(waveIndex, order), 'date'],
          `${server.name} runs on ${server.date}, which is not a day of wave ${wave.index}`,
        );
      }
      const earlier = placementOf(known);
      if (earlier !== undefined) {
        fail(
          serverKey(waveIndex, order),
          `${server.name} is planned twice: also at ${serverKey(earlier.wave, earlier.order).join('.')}`,
        );
        return;
      }
      placedWave[known.position] = waveIndex;
      placedDay[known.position] = day ?? 0;
      placedOrder[known.position] = order;
    });
    for (const hardwareClass of view.classes) {
      if (!classesInWave.has(hardwareClass.id)) {
        fail([...waveKey, 'servers'], `wave ${wave.index} has no server of class ${hardwareClass.id}`);
      }
    }
  });

  for (const server of view.servers) {
    if (placedWave[server.position] === -1)
      fail(['waves'], `${server.name} (class ${server.classId}) is in no wave`);
  }

  for (const cluster of clustersOf(view.servers)) {
    const primary = cluster.primaries[0];
    const at = primary === undefined ? undefined : placementOf(primary);
    if (primary === undefined || at === undefined) continue;
    for (const replica of cluster.replicas) {
      const replicaAt = placementOf(replica);
      if (replicaAt === undefined) continue;
      const message = comesBefore(at, replicaAt);
      if (message !== undefined) {
        fail(
          serverKey(at.wave, at.order),
          `primary ${primary.name} ${message} its replica ${replica.name} (cluster ${cluster.name})`,
        );
      }
    }
  }

  const sized = waveSizes(campaign, view.servers.length, unlocatedSources);
  if (sized.issues.length === 0) {
    plan.waves.forEach((wave, waveIndex) => {
      const expected = sized.sizes[waveIndex];
      if (expected !== undefined && expected !== wave.servers.length) {
        warnings.push({
          key: ['waves', waveIndex, 'servers'],
          message: `wave ${wave.index} has ${wave.servers.length} servers; the campaign asks for ${expected}`,
        });
      }
    });
  }
  return { violations, warnings };
}

/** Where a server is in a plan: wave (0-based position in the plan), day position, execution position. */
interface Placement {
  readonly wave: number;
  readonly day: number;
  readonly order: number;
}

function comesBefore(primary: Placement, replica: Placement): string | undefined {
  if (primary.wave !== replica.wave)
    return primary.wave < replica.wave ? 'is in an earlier wave than' : undefined;
  if (primary.day !== replica.day)
    return primary.day < replica.day ? 'runs on an earlier day than' : undefined;
  return primary.order < replica.order ? 'runs before' : undefined;
}

/** Instants compare by the moment they name: `09:00:00-07:00` and `16:00:00Z` are the same. */
function sameInstant(left: string, right: string): boolean {
  return Date.parse(left) === Date.parse(right);
}
