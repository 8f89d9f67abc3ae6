import Table from 'cli-table3';
import { formatDuration } from '../core/duration.js';
import { CAMPAIGN_WAVE, type HandoffRecord, type JournalRecord } from '../engine/journal/journal-record.js';
import type { LockInspection } from '../engine/lock/campaign-lock.js';
import type { RunnerLease } from '../engine/lock/runner-lease.js';
import type { PlannedWave } from '../model/plan.js';
import { describeCanaryStage } from './canary-stage-entry.js';
import { describeHandoff, describeInCharge, type InCharge } from './in-charge.js';
import {
  describeOrderOverride,
  describeSoakPoint,
  formatClock,
  formatOptionalDuration,
  formatWindow,
  outcomeLabel,
  soakFailureLines,
} from './report-format.js';
import { runGoneReason } from './run-liveness.js';
import { statusUpdateText } from './status-update.js';
import type { ServerReport, WaveReport } from './wave-report.js';

/**
 * The wave `dbwave status` shows when none is named: the one the journal last wrote about
 * (running or just finished; a hand-off is about the campaign, not a wave), else the plan's first.
 */
export function currentWave(records: readonly JournalRecord[], waves: readonly PlannedWave[]): number {
  const lastOfAWave = records.findLast((record) => record.wave !== CAMPAIGN_WAVE);
  return lastOfAWave?.wave ?? waves[0]?.index ?? 1;
}

/** The lock in one line: who runs the campaign, or that nobody does, or that a holder went quiet. */
export function describeLock(lock: LockInspection, timezone: string): string {
  if (lock.state === 'free') return 'Lock: free (no dbwave run holds this campaign)';
  if (lock.state === 'unreadable')
    return `Lock: UNREADABLE (${lock.problem}; changed ${formatDuration(lock.changedAgoMs)} ago); if no dbwave runs this campaign, \`dbwave unlock PLAN --force\` removes it`;
  const owner = `${lock.owner.user}@${lock.owner.host} pid ${lock.owner.pid}${lock.owner.purpose ? ` (${lock.owner.purpose})` : ''}`;
  const since = `since ${formatClock(lock.owner.started, timezone)}, heartbeat ${formatDuration(lock.heartbeatAgeMs)} ago`;
  if (lock.state === 'held' && lock.clockSkewMs !== undefined)
    return `Lock: held by ${owner} since ${formatClock(lock.owner.started, timezone)}, heartbeat ${formatDuration(lock.clockSkewMs)} AHEAD of this host's clock (clock skew: check NTP)`;
  if (lock.state === 'held') return `Lock: held by ${owner} ${since}`;
  if (lock.state === 'dead')
    return `Lock: LEFT BY A DEAD PROCESS ${owner} ${since}; the next run takes it over`;
  return `Lock: STALE, held by ${owner} ${since}; check that host, then \`dbwave unlock PLAN --force\``;
}

function stepCell(server: ServerReport, now: number, timezone: string): string {
  if (server.currentStep === undefined) return '-';
  const since = Date.parse(server.currentStep.since);
  return `${server.currentStep.step} ${formatDuration(Math.max(0, now - since))} (since ${formatClock(server.currentStep.since, timezone)})`;
}

function elapsedCell(server: ServerReport, now: number): string {
  if (server.durationMs !== undefined) return formatDuration(server.durationMs);
  if (server.startedAt === undefined) return '-';
  return formatDuration(Math.max(0, now - Date.parse(server.startedAt)));
}

function shutdownCell(server: ServerReport): string {
  const shutdown = server.shutdown;
  if (shutdown === undefined) return '-';
  const eta =
    shutdown.status === 'running' && shutdown.lastEtaMs !== undefined
      ? `, ETA ${formatDuration(shutdown.lastEtaMs)}`
      : '';
  return `${formatOptionalDuration(shutdown.durationMs)}${shutdown.overBudget ? ' OVER BUDGET' : ''}${eta}`;
}

/** The runners of a shared store, one line each: who, what, since when, their lease and their servers. */
export function describeRunners(runners: readonly RunnerLease[], timezone: string): string[] {
  if (runners.length === 0) return ['Runners: none (no dbwave run holds this campaign)'];
  return runners.map((lease) => {
    const { owner } = lease;
    const what = `${owner.user}@${owner.host} pid ${owner.pid}${owner.purpose ? ` (${owner.purpose})` : ''}`;
    const until = `lease ${lease.expired ? 'EXPIRED at' : 'until'} ${formatClock(lease.expires, timezone)}`;
    const next = lease.expired ? '; the next run takes it over' : '';
    const servers = lease.servers.length === 0 ? '' : `; running ${lease.servers.join(', ')}`;
    return `Runner ${lease.runner}: ${what} since ${formatClock(owner.started, timezone)}, token ${lease.token}, ${until}${next}${servers}`;
  });
}

/** Who is in charge today, and the campaign's latest hand-off: what `status` shows of its people. */
export interface StatusPeople {
  readonly inCharge: InCharge;
  readonly latestHandoff?: HandoffRecord;
}

function describePeople(people: StatusPeople, timezone: string): string[] {
  const latest = people.latestHandoff;
  return [
    describeInCharge(people.inCharge, timezone),
    ...(latest === undefined || latest.seq === people.inCharge.handoff?.seq
      ? []
      : [`Latest hand-off: ${describeHandoff(latest, timezone)}`]),
  ];
}

/**
 * `dbwave status` as text: the update line, who is in charge, the lock (or, with a shared store,
 * its runners), and one row per server.
 */
export function renderStatusText(
  report: WaveReport,
  lock: LockInspection,
  timezone: string,
  runners?: readonly RunnerLease[],
  people?: StatusPeople,
): string {
  const now = Date.parse(report.generatedAt);
  const table = new Table({
    head: ['server', 'class', 'state', 'step (elapsed)', 'server time', '503 window', 'shutdown', 'version'],
    style: { head: [], border: [], compact: true },
  });
  for (const server of report.servers) {
    table.push([
      server.name,
      server.class ?? '-',
      outcomeLabel(server.outcome),
      stepCell(server, now, timezone),
      elapsedCell(server, now),
      formatWindow(server.window, timezone),
      shutdownCell(server),
      `${server.versions.before ?? '?'} -> ${server.versions.after ?? '?'}`,
    ]);
  }
  const alerts = report.alerts.map(
    (alert) =>
      `  ${formatClock(alert.at, timezone)} ${alert.server ?? 'wave'}: ${alert.alert}: ${alert.message}`,
  );
  return [
    statusUpdateText(report, timezone, runGoneReason(report, lock)),
    ...(people === undefined ? [] : describePeople(people, timezone)),
    ...(report.change === undefined ? [] : [`Kind: ${report.change.description}`]),
    ...(runners === undefined ? [describeLock(lock, timezone)] : describeRunners(runners, timezone)),
    ...(report.orderOverride === undefined ? [] : [describeOrderOverride(report.orderOverride, timezone)]),
    ...(report.canary === undefined ? [] : [describeCanaryStage(report.canary, timezone)]),
    ...(report.soak === undefined
      ? []
      : [
          'Soak:',
          ...report.soak.points.map((point) => `  ${describeSoakPoint(point, timezone)}`),
          ...soakFailureLines(report.soak).map((line) => `  ${line}`),
        ]),
    ...(report.journal.tornTail
      ? [
          'Journal: the last line is cut short (dbwave killed mid-write, or a write under way); it is left out',
        ]
      : []),
    table.toString(),
    ...(alerts.length === 0 ? [] : ['Alerts:', ...alerts]),
    '',
  ].join('\n');
}

/**
 * `dbwave status --json`: the lock and the wave's report (the report's documented shape); with a
 * shared store, also its runners' leases (and `lock` says what the first runner's lease says);
 * `inCharge` (today's) and `handoff` (the latest hand-off record) when given.
 */
export function statusJson(
  report: WaveReport,
  lock: LockInspection,
  runners?: readonly RunnerLease[],
  people?: StatusPeople,
): unknown {
  return {
    schemaVersion: report.schemaVersion,
    lock,
    ...(runners === undefined ? {} : { runners }),
    ...(people === undefined ? {} : { inCharge: people.inCharge }),
    ...(people?.latestHandoff === undefined ? {} : { handoff: people.latestHandoff }),
    update: statusUpdateText(report, 'UTC', runGoneReason(report, lock)),
    report,
  };
}
