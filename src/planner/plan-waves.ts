import { formatDuration } from '../core/duration.js';
import { InputError, type InputIssue } from '../core/errors.js';
import { issueAt, type SourceLocator, unlocatedSources } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import type { Plan, PlannedDay, PlannedServer, PlannedWave } from '../model/plan.js';
import { campaignCalendar } from './campaign-calendar.js';
import { estimateCapacity } from './capacity-estimate.js';
import { type Fleet, type FleetView, viewOf } from './fleet-view.js';
import { assignToSlots } from './stratified-assignment.js';
import { replicasFirst, topologyIssues } from './topology.js';
import { repairTopology } from './topology-repair.js';
import { waveSizes } from './wave-sizes.js';

export interface PlanOptions {
  /** The campaign file, relative to where the plan will be written (default `<campaign>.yaml`). */
  readonly campaignFile?: string;
  /** Where the campaign's and classes' values were written, for error messages. */
  readonly sources?: SourceLocator;
  /** Recorded as the plan's `generatedBy`. */
  readonly generatedBy?: string;
}

/**
 * Plans a campaign's waves over a fleet. Pure: everything comes in as arguments, nothing is read
 * or written, and the same input always gives the same plan.
 *
 * Every class is in every wave in proportion to its size, and on every day of a multi-day wave
 * when its share of the wave allows; each class is spread across its md layouts and datacenters;
 * primaries come after their replicas (see topology.ts). Adding or removing one server moves few
 * others (docs/planner.md states and the property tests check the bound).
 *
 * @throws InputError listing every impossible request (exit 2), each naming its file and key.
 */
export function planWaves(fleet: Fleet, campaign: Campaign, options: PlanOptions = {}): Plan {
  const sources = options.sources ?? unlocatedSources;
  const view = viewOf(fleet);
  const calendar = campaignCalendar(campaign, sources);
  const sized = waveSizes(campaign, view.servers.length, sources);
  const issues: InputIssue[] = [
    ...calendar.issues,
    ...sized.issues,
    ...topologyIssues(view.servers, sources),
  ];
  if (sized.issues.length === 0) issues.push(...feasibilityIssues(view, sized.sizes, sources));
  if (issues.length > 0) throw new InputError(issues);

  const assignment = assignToSlots(
    view,
    sized.sizes,
    calendar.waves.map((days) => days.length),
  );
  const conflicts = repairTopology(assignment);
  if (conflicts.length > 0) {
    throw new InputError(
      conflicts.map(({ cluster, primary }) => {
        const key = ['servers', primary.serverIndex, 'cluster'];
        return issueAt(
          sources.hardwareClass(primary.classId, key),
          key,
          `cluster ${cluster}: no server of class ${primary.classId} can trade places so that primary ${primary.name} runs after its replicas`,
        );
      }),
    );
  }

  const calendarDays = calendar.waves.flat();
  const waves: PlannedWave[] = campaign.waves.map((spec, wave) => {
    const days = calendar.waves[wave] ?? [];
    const servers: PlannedServer[] = [];
    assignment.slots.forEach((slotServers, slot) => {
      if (assignment.waveOfSlot[slot] !== wave) return;
      const date = calendarDays[slot]?.date ?? '';
      for (const server of replicasFirst(slotServers))
        servers.push({ name: server.name, class: server.classId, date });
    });
    return { index: wave + 1, ...(spec.name === undefined ? {} : { name: spec.name }), days, servers };
  });

  const plan: Plan = {
    campaign: campaign.campaign,
    timezone: campaign.timezone,
    campaignFile: options.campaignFile ?? `${campaign.campaign}.yaml`,
    ...(options.generatedBy === undefined ? {} : { generatedBy: options.generatedBy }),
    waves,
  };
  return withCapacity(plan, view.classes, campaign);
}

/**
 * Every class in every wave needs each wave to hold at least one server per class and each class
 * at least one server per wave; together these are also enough (see apportion.ts).
 */
function feasibilityIssues(view: FleetView, sizes: readonly number[], sources: SourceLocator): InputIssue[] {
  const issues: InputIssue[] = [];
  const classCount = view.classes.length;
  sizes.forEach((size, wave) => {
    if (size < classCount) {
      const key = ['waves', wave, 'size'];
      issues.push(
        issueAt(
          sources.campaign(key),
          key,
          `wave ${wave + 1} holds ${size} server${size === 1 ? '' : 's'}, fewer than the ${classCount} hardware classes that must each be in every wave`,
        ),
      );
    }
  });
  for (const hardwareClass of view.classes) {
    if (hardwareClass.servers.length < sizes.length) {
      const key = ['servers'];
      issues.push(
        issueAt(
          sources.hardwareClass(hardwareClass.id, key),
          key,
          `class ${hardwareClass.id} has ${hardwareClass.servers.length} server${hardwareClass.servers.length === 1 ? '' : 's'}, fewer than the ${sizes.length} waves it must be in`,
        ),
      );
    }
  }
  return issues;
}

function withCapacity(plan: Plan, fleet: readonly HardwareClass[], campaign: Campaign): Plan {
  const estimates = new Map(
    estimateCapacity(plan, fleet, campaign).map((day) => [`${day.wave}/${day.date}`, day]),
  );
  return {
    ...plan,
    waves: plan.waves.map((wave) => ({
      ...wave,
      days: wave.days.map((day): PlannedDay => {
        const estimate = estimates.get(`${wave.index}/${day.date}`);
        if (estimate === undefined) return day;
        return {
          ...day,
          capacity: {
            servers: estimate.servers,
            concurrency: estimate.concurrency,
            p50: formatDuration(estimate.p50Ms),
            p95: formatDuration(estimate.p95Ms),
            window: formatDuration(estimate.windowMs),
            fit: estimate.fit,
          },
        };
      }),
    })),
  };
}
