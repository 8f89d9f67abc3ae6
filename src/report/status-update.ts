import { formatDuration } from '../core/duration.js';
import type { HandoffRecord } from '../engine/journal/journal-record.js';
import { describeHandoff } from './in-charge.js';
import { formatClockWithZone, soakFailureLines } from './report-format.js';
import type { CanaryStageEntry, ServerReport, SoakReport, WaveReport } from './wave-report.js';

/** Outcomes a person has to act on. */
const NEEDS_PERSON = new Set(['NeedsPerson', 'NeedsUserMigration']);

/** Servers a person must look at: stopped short, or past their shutdown budget right now. */
export function serversNeedingPerson(report: WaveReport): ServerReport[] {
  return report.servers.filter(
    (server) =>
      NEEDS_PERSON.has(server.outcome) ||
      (server.outcome === 'InProgress' && server.shutdown?.overBudget === true),
  );
}

function inFlight(server: ServerReport, now: number): string {
  const step = server.currentStep;
  if (step === undefined) return server.name;
  return `${server.name} ${step.step} ${formatDuration(Math.max(0, now - Date.parse(step.since)))}`;
}

/** A server that needs a person, with why in a few words. */
export function personReason(server: ServerReport): string {
  if (server.outcome === 'InProgress') return 'shutdown over budget';
  return server.reason ?? server.outcome;
}

/** The soak in one part: each point's state, and a failed soak's rollback advice. */
function soakPart(soak: SoakReport, timezone: string): string {
  const points = soak.points.map((point) =>
    point.state === 'done'
      ? `${point.point} ${point.verdict ?? 'pass'}`
      : point.state === 'waiting'
        ? `${point.point} at ${formatClockWithZone(point.dueAt, timezone)}`
        : `${point.point} ${point.state.toUpperCase()}`,
  );
  const failure = soakFailureLines(soak);
  return [`soak ${points.join(', ')}`, ...(failure.length === 0 ? [] : [failure.join(' ')])].join(' · ');
}

/**
 * One short status update for a channel: what is done, what is in flight, what needs a person.
 * Plain text that reads the same in a terminal and in Slack. `runGone` (see run-liveness.ts) is
 * why no dbwave run drives a wave the journal calls in progress: said instead of "in progress".
 * `handoff` is a hand-off to announce (handoff-announcer.ts says which, once).
 */
export function statusUpdateText(
  report: WaveReport,
  timezone = 'UTC',
  runGone?: string,
  handoff?: HandoffRecord,
): string {
  const now = Date.parse(report.generatedAt);
  const { summary } = report;
  const done = summary.upgraded + summary.alreadyUpgraded + summary.rolledBack + summary.precheckFailed;
  const doneParts = [
    [summary.upgraded, 'upgraded'],
    [summary.alreadyUpgraded, 'already upgraded'],
    [summary.rolledBack, 'rolled back'],
    [summary.precheckFailed, 'precheck failed'],
  ]
    .filter(([count]) => Number(count) > 0)
    .map(([count, label]) => `${count} ${label}`);
  const flying = report.servers.filter((server) => server.outcome === 'InProgress');
  const person = serversNeedingPerson(report);
  const state =
    report.status === 'finished'
      ? `finished in ${formatDuration(summary.wallTimeMs ?? 0)}`
      : report.status === 'halted'
        ? report.canary?.state === 'stopped'
          ? 'HALTED (canary stage)'
          : 'HALTED (failure budget exceeded)'
        : report.status === 'not-started'
          ? 'not started'
          : runGone !== undefined
            ? `RUN GONE (${runGone})`
            : 'in progress';
  const parts = [
    `[${formatClockWithZone(report.generatedAt, timezone)}] ${report.campaign} wave ${report.wave} ${state}`,
    `${done}/${summary.planned} done${doneParts.length === 0 ? '' : ` (${doneParts.join(', ')})`}`,
  ];
  if (report.orderOverride !== undefined) parts.push(`RUN OUT OF ORDER: "${report.orderOverride.reason}"`);
  if (report.canary !== undefined) parts.push(canaryPart(report.canary));
  if (flying.length > 0) parts.push(`in flight: ${flying.map((server) => inFlight(server, now)).join(', ')}`);
  parts.push(
    person.length === 0
      ? 'nothing needs a person'
      : `NEEDS A PERSON: ${person.map((server) => `${server.name} (${personReason(server)})`).join(', ')}`,
  );
  if (summary.notExecuted > 0) parts.push(`${summary.notExecuted} waiting`);
  if (report.soak !== undefined) parts.push(soakPart(report.soak, timezone));
  parts.push(`failure budget ${summary.failureBudget.used}/${summary.failureBudget.allowed}`);
  if (handoff !== undefined) parts.push(`HANDED OFF: ${describeHandoff(handoff, timezone)}`);
  return parts.join(' · ');
}

/** The canary stage in a status update: short, the countdown and the verdict so far. */
function canaryPart(canary: CanaryStageEntry): string {
  const soFar = canary.verdict === undefined ? '' : `, verdict so far ${canary.verdict}`;
  switch (canary.state) {
    case 'canaries-first':
      return `canaries first: ${canary.canaries.join(', ')}`;
    case 'baking':
      return `CANARY BAKE ${formatDuration(canary.remainingMs ?? 0)} left${soFar}`;
    case 'went-on':
      return 'canary bake passed';
    case 'stopped':
      return `CANARY STAGE STOPPED THE WAVE: ${canary.reason ?? ''}`;
    default:
      return canary.state satisfies never;
  }
}
