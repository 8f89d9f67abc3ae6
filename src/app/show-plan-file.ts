import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { formatDuration } from '../core/duration.js';
import { ExitStatus } from '../core/errors.js';
import { timePhase } from '../core/phase-timing.js';
import { loadPlan } from '../inventory/load-plan.js';
import { describeChange, describeChangeAndPointOfNoReturn } from '../model/campaign-change.js';
import type { Plan } from '../model/plan.js';
import { plannedCanaries } from '../planner/canary-selection.js';
import { type DayCapacity, estimateCapacity } from '../planner/capacity-estimate.js';
import { type DayOwners, dayOwners } from '../planner/day-owners.js';
import type { CommandStreams } from './command-services.js';
import { planWarnings } from './plan-warnings.js';

/** The flags of `dbwave show`. */
export interface ShowArguments {
  readonly plan: string;
  readonly json?: boolean | undefined;
}

/**
 * `dbwave show PLAN`: one table per wave, one row per day: the window, servers per class, and the
 * capacity estimate against the window. With `--json`, the same as data.
 */
export async function showPlanFile(
  args: ShowArguments,
  streams: CommandStreams,
  cwd: string = process.cwd(),
): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd });
  const { plan, inventory } = loaded;
  const capacity = timePhase('plan', () => estimateCapacity(plan, inventory.classes, inventory.campaign));
  const classIds = inventory.classes.map((hardwareClass) => hardwareClass.id);
  const warnings = timePhase('plan', () => planWarnings(plan, inventory, { capacity }));
  const shown = loaded.shownPlanFile;
  const canaries = plannedCanaries(plan, inventory.campaign.canary, inventory.classes);
  for (const warning of warnings) streams.stderr.write(`dbwave: warning: ${shown}: ${warning}\n`);
  const { campaign } = inventory;
  if (args.json === true) {
    const change = {
      kind: campaign.kind,
      change: describeChange(campaign),
      pointOfNoReturn: campaign.pointOfNoReturn,
    };
    timePhase('output', () =>
      streams.stdout.write(
        `${JSON.stringify({ ...change, ...(showData(plan, capacity, warnings, dayOwners(inventory.campaign.owners), canaries) as object) }, null, 2)}\n`,
      ),
    );
    return ExitStatus.Ok;
  }
  const owners = inventory.campaign.owners === undefined ? undefined : dayOwners(inventory.campaign.owners);
  const changeLine = describeChangeAndPointOfNoReturn(campaign);
  streams.stdout.write(
    timePhase('output', () => renderPlan(plan, capacity, classIds, { owners, canaries, change: changeLine })),
  );
  if (warnings.length > 0)
    streams.stdout.write(`Warnings:\n${warnings.map((line) => `- ${line}\n`).join('')}`);
  return ExitStatus.Ok;
}

function showData(
  plan: Plan,
  capacity: readonly DayCapacity[],
  warnings: readonly string[],
  owners: DayOwners,
  canaries: ReadonlyMap<number, readonly string[]>,
): unknown {
  return {
    campaign: plan.campaign,
    timezone: plan.timezone,
    warnings,
    waves: plan.waves.map((wave) => ({
      index: wave.index,
      ...(wave.name === undefined ? {} : { name: wave.name }),
      servers: wave.servers.length,
      ...(canaries.has(wave.index) ? { canaries: canaries.get(wave.index) } : {}),
      days: wave.days.map((day) => {
        const estimate = capacity.find((entry) => entry.wave === wave.index && entry.date === day.date);
        const owner = owners.get(day.date);
        return {
          ...day,
          ...(estimate === undefined ? {} : { capacity: estimate }),
          ...(owner === undefined ? {} : { owner }),
        };
      }),
    })),
  };
}

/** The plan as text: a heading and a per-day table for each wave (with who is in charge, given `owners`). */
export function renderPlan(
  plan: Plan,
  capacity: readonly DayCapacity[],
  classIds: readonly string[],
  shown: {
    /** Who is in charge of each day, when the campaign names `owners`. */
    readonly owners?: DayOwners | undefined;
    /** Each wave's canaries (only the first wave has any). */
    readonly canaries?: ReadonlyMap<number, readonly string[]>;
    /** What the campaign does (kind, versions, point of no return), under the title. */
    readonly change?: string;
  } = {},
): string {
  const { owners, canaries = new Map<number, readonly string[]>(), change } = shown;
  const lines: string[] = [
    `Campaign ${plan.campaign} (${plan.timezone})`,
    ...(change === undefined ? [] : [change]),
    '',
  ];
  for (const wave of plan.waves) {
    const title = wave.name === undefined ? `Wave ${wave.index}` : `Wave ${wave.index}: ${wave.name}`;
    lines.push(`${title}: ${wave.servers.length} servers`);
    const waveCanaries = canaries.get(wave.index);
    if (waveCanaries !== undefined && waveCanaries.length > 0)
      lines.push(`Canaries (run first, then the bake): ${waveCanaries.join(', ')}`);
    const table = new Table({
      head: [
        'date',
        'window',
        ...classIds,
        'total',
        'p50',
        'p95',
        'fit',
        ...(owners === undefined ? [] : ['in charge']),
      ],
      style: { head: [], border: [] },
    });
    for (const day of wave.days) {
      const estimate = capacity.find((entry) => entry.wave === wave.index && entry.date === day.date);
      const window = `${localTime(day.windowStart, plan.timezone, 'HH:mm')}-${localTime(day.windowEnd, plan.timezone, 'HH:mm ZZ')}`;
      table.push([
        day.date,
        window,
        ...classIds.map((id) => String(estimate?.byClass[id] ?? 0)),
        String(estimate?.servers ?? 0),
        formatDuration(estimate?.p50Ms ?? Number.NaN),
        formatDuration(estimate?.p95Ms ?? Number.NaN),
        estimate?.fit ?? '-',
        ...(owners === undefined ? [] : [owners.get(day.date)?.name ?? 'NOBODY']),
      ]);
    }
    lines.push(table.toString(), '');
  }
  return `${lines.join('\n')}\n`;
}

function localTime(instant: string, zone: string, format: string): string {
  const time = DateTime.fromISO(instant, { setZone: true }).setZone(zone);
  return time.isValid ? time.toFormat(format) : instant;
}
