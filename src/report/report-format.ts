import { DateTime } from 'luxon';
import { formatDuration } from '../core/duration.js';
import type { ServerOutcome } from '../engine/journal/journal-record.js';
import type {
  CrashReport,
  GateVerdictEntry,
  OrderOverrideEntry,
  PreflushSummary,
  ServerReport,
  SoakPointEntry,
  SoakReport,
  SoakServerTimeline,
  WindowTiming,
} from './wave-report.js';

/** How a renderer writes instants: in the campaign's zone, so that times match the DBA's window. */
export interface RenderOptions {
  /** IANA zone for times (default UTC). */
  readonly timezone?: string;
}

/** `2011-09-20 09:03:00 PDT`. */
export function formatInstant(iso: string | undefined, timezone = 'UTC'): string {
  if (iso === undefined) return '-';
  const instant = DateTime.fromISO(iso, { zone: timezone });
  return instant.isValid ? instant.toFormat('yyyy-LL-dd HH:mm:ss ZZZZ') : iso;
}

/** `09:03:00`: for timelines within one day. */
export function formatClock(iso: string | undefined, timezone = 'UTC'): string {
  if (iso === undefined) return '-';
  const instant = DateTime.fromISO(iso, { zone: timezone });
  return instant.isValid ? instant.toFormat('HH:mm:ss') : iso;
}

/** `09:03 PDT`: a status line's stamp. */
export function formatClockWithZone(iso: string, timezone = 'UTC'): string {
  const instant = DateTime.fromISO(iso, { zone: timezone });
  return instant.isValid ? instant.toFormat('HH:mm ZZZZ') : iso;
}

/** A duration as a command-line argument dbwave accepts back: `30m`, `90s`, `2h`. */
export function durationArgument(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

export function formatOptionalDuration(ms: number | undefined): string {
  return ms === undefined ? '-' : formatDuration(ms);
}

/** `+12.5%`, `-3.0%`, or `-` when there is no change to speak of. */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '-';
  const percent = change * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

/** Rates keep three significant figures; big ones are grouped. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

/** "5m10s of 10m00s" with a warning mark when over. */
export function formatWindow(window: WindowTiming | undefined, timezone = 'UTC'): string {
  if (window === undefined) return '-';
  if (window.durationMs === undefined) return `open since ${formatClock(window.openedAt, timezone)}`;
  return `${formatDuration(window.durationMs)} of ${formatDuration(window.targetMs)}${window.overTarget ? ' (over target)' : ''}`;
}

const OUTCOME_LABELS: Readonly<Record<ServerOutcome, string>> = {
  NotExecuted: 'not executed',
  InProgress: 'in progress',
  Upgraded: 'upgraded',
  AlreadyUpgraded: 'already upgraded',
  PrecheckFailed: 'precheck failed',
  RolledBack: 'rolled back',
  NeedsPerson: 'needs a person',
  NeedsUserMigration: 'needs user migration',
};

export function outcomeLabel(outcome: ServerOutcome): string {
  return OUTCOME_LABELS[outcome];
}

/**
 * `, dirty pages 18000 → 800 (target reached)`, `, dirty pages down to 0`, or nothing when the
 * journal has neither a count nor a reason.
 */
export function formatDirtyPages(preflush: PreflushSummary): string {
  const { dirtyPagesBefore: before, dirtyPagesAfter: after } = preflush;
  const why = preflush.endedBy === undefined ? '' : ` (${PREFLUSH_END_LABELS[preflush.endedBy]})`;
  if (before === undefined && after === undefined) return why;
  if (before === undefined) return `, dirty pages down to ${after}${why}`;
  return `, dirty pages ${before} → ${after ?? '?'}${why}`;
}

const PREFLUSH_END_LABELS: Readonly<Record<NonNullable<PreflushSummary['endedBy']>, string>> = {
  target: 'target reached',
  settled: 'no longer falling',
  timeout: 'timed out',
};

/** One line of a server's facts in a report: a label, its text, and whether it is a warning. */
export interface ServerFact {
  readonly label: string;
  readonly text: string;
  /** Shown emphasised: the label of an alert, or a marker after the text ("over budget"). */
  readonly warning?: { readonly on: 'label' } | { readonly on: 'marker'; readonly marker: string };
}

/**
 * A server's facts as the Markdown and the HTML report both list them, in this order: the one
 * place that decides what a server section says; each renderer only marks it up.
 */
export function serverFacts(server: ServerReport, timezone: string): ServerFact[] {
  const facts: ServerFact[] = [];
  if (server.reason !== undefined) facts.push({ label: 'Reason', text: server.reason });
  if (server.currentStep) {
    facts.push({
      label: 'In flight',
      text: `${server.currentStep.step} since ${formatClock(server.currentStep.since, timezone)}`,
    });
  }
  if (server.window) facts.push({ label: '503 window', text: formatWindow(server.window, timezone) });
  if (server.rollbackWindow) {
    facts.push({
      label: 'Second 503 window (rollback)',
      text: formatWindow(server.rollbackWindow, timezone),
    });
  }
  if (server.preflush) {
    facts.push({
      label: 'Pre-flush',
      text: `${server.preflush.status}, ${formatOptionalDuration(server.preflush.durationMs)}${formatDirtyPages(server.preflush)}`,
    });
  }
  if (server.shutdown) {
    facts.push({
      label: 'Clean shutdown',
      text: `${formatOptionalDuration(server.shutdown.durationMs)} of ${formatDuration(server.shutdown.budgetMs)} budget`,
      ...(server.shutdown.overBudget ? { warning: { on: 'marker', marker: 'over budget' } as const } : {}),
    });
  }
  facts.push({
    label: 'Versions',
    text: `${server.versions.before ?? '?'} → ${server.versions.after ?? '?'}`,
  });
  if (server.rollback) {
    const { path, status, durationMs, reason } = server.rollback;
    facts.push({
      label: `Rollback (${path}, ${status}, ${formatOptionalDuration(durationMs)})`,
      text: reason,
    });
  }
  for (const alert of server.alerts) {
    facts.push({ label: `Alert ${alert.alert}`, text: alert.message, warning: { on: 'label' } });
  }
  return facts;
}

/** The wave's order override in one line: when, by whom, why, and what it overrode. */
export function describeOrderOverride(override: OrderOverrideEntry, timezone = 'UTC'): string {
  const by = override.by === undefined ? '' : ` by ${override.by.user}@${override.by.host}`;
  return `Run OUT OF ORDER (--override-order)${by} at ${formatInstant(override.at, timezone)}: "${override.reason}"; overridden: ${override.refusals.join('; ')}`;
}

/** An inconclusive gate's decision as a report cell: the action, who chose it, and why the campaign did. */
export function describeDecision(decision: NonNullable<GateVerdictEntry['decision']>): string {
  const why =
    decision.because === 'inside-window'
      ? ', decided by policy inside the window'
      : decision.because === 'timed-out'
        ? ', nobody answered in time'
        : '';
  return `${decision.action} (${decision.by}${why})`;
}

/**
 * A soak point in a few words: `+1h due 2026-12-02 15:00:00 UTC: pass, taken 3s late` or
 * `+4h: MISSED (nothing took it; 2h00m00s late)`. Whether it holds the next wave is said too.
 */
export function describeSoakPoint(point: SoakPointEntry, timezone = 'UTC'): string {
  const due = `${point.point} due ${formatInstant(point.dueAt, timezone)}`;
  const gates = point.gates ? '' : ' (does not hold the next wave)';
  const late =
    point.lateMs === undefined || point.lateMs < 1000 ? '' : `, ${formatDuration(point.lateMs)} late`;
  switch (point.state) {
    case 'waiting':
      return `${due}: waiting${gates}`;
    case 'due':
      return `${due}: due now${late}${gates}`;
    case 'interrupted':
      return `${due}: interrupted (taken ${formatInstant(point.takenAt, timezone)}, never finished; taken again)${gates}`;
    case 'done':
      return `${due}: ${point.verdict ?? 'pass'}, taken ${formatInstant(point.takenAt, timezone)}${late === '' ? ' on time' : late}${gates}`;
    case 'missed':
      return `${due}: MISSED (nothing was running to take it${late})${gates}`;
    default:
      return point.state satisfies never;
  }
}

/** A failed soak's advice: who failed it and how to roll them back. Empty when nothing failed. */
export function soakFailureLines(soak: SoakReport | undefined): string[] {
  if (soak === undefined || soak.failed.length === 0) return [];
  return [
    `SOAK FAILED on ${soak.failed.join(', ')}: the next wave is refused; dbwave does not roll back by itself after a soak. Recommended:`,
    ...soak.rollbackCommands,
  ];
}

/** A server's verdict at one soak point, or what stands there instead (`-` before the point is taken). */
export function soakCell(point: SoakPointEntry, timeline: SoakServerTimeline): string {
  const entry = timeline.points.find((candidate) => candidate.point === point.point);
  if (entry !== undefined) return entry.verdict;
  return point.state === 'missed' ? 'missed' : point.state === 'done' ? 'not compared' : '-';
}

/**
 * The crash table's header and rows, one row per class, as every rendering shows it: servers,
 * the crashes before the campaign and over how long, the unplanned restarts since the upgrade
 * and over how long.
 */
export function crashTable(crashes: CrashReport): { header: string[]; rows: string[][] } {
  const over = (ms: number | undefined): string => (ms === undefined ? '' : ` over ${formatDuration(ms)}`);
  return {
    header: [
      'Class',
      'Servers',
      'Crashes before the campaign (error log)',
      'Unplanned restarts since upgrade',
    ],
    rows: crashes.classes.map((entry) => [
      entry.class,
      entry.servers.map((row) => row.server).join(', '),
      entry.before.servers === 0
        ? 'not read'
        : `${entry.before.crashes} (${entry.before.servers} server(s)${over(entry.before.overMs)})`,
      entry.sinceUpgrade.servers === 0
        ? 'not upgraded yet'
        : `${entry.sinceUpgrade.unplannedRestarts} (${entry.sinceUpgrade.servers} server(s)${over(entry.sinceUpgrade.overMs)})`,
    ]),
  };
}
