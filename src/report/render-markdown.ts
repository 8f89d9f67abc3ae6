import { formatDuration } from '../core/duration.js';
import { SERVER_OUTCOMES } from '../engine/journal/journal-record.js';
import { describeCanaryStage } from './canary-stage-entry.js';
import {
  crashTable,
  describeDecision,
  describeOrderOverride,
  describeSoakPoint,
  formatChange,
  formatClock,
  formatInstant,
  formatOptionalDuration,
  formatRate,
  formatWindow,
  outcomeLabel,
  type RenderOptions,
  serverFacts,
  soakCell,
  soakFailureLines,
} from './report-format.js';
import type { ServerReport, WaveReport } from './wave-report.js';

/** A table cell: one line, pipes escaped, so that a gate's evidence cannot break the table. */
export function cell(text: string | number): string {
  return String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function summarySection(report: WaveReport, timezone: string): string[] {
  const { summary } = report;
  const budget = summary.failureBudget;
  const lines = [
    '## Summary',
    '',
    ...table(
      [
        'Planned',
        'Upgraded',
        'Already upgraded',
        'Rolled back',
        'Precheck failed',
        'Needs a person',
        'Needs user migration',
        'In progress',
        'Not executed',
      ],
      [
        [
          summary.planned,
          summary.upgraded,
          summary.alreadyUpgraded,
          summary.rolledBack,
          summary.precheckFailed,
          summary.needsPerson,
          summary.needsUserMigration,
          summary.inProgress,
          summary.notExecuted,
        ],
      ],
    ),
    '',
    `- Wave: ${report.status}, started ${formatInstant(summary.startedAt, timezone)}${
      summary.endedAt === undefined ? '' : `, ended ${formatInstant(summary.endedAt, timezone)}`
    }; wall time ${formatOptionalDuration(summary.wallTimeMs)}.`,
    `- Failure budget: ${budget.used} used of ${budget.allowed} allowed (${budget.spec})${budget.exceeded ? ' — **exceeded, the wave halted**' : ''}.`,
    `- Limits: 503 window target ${formatDuration(report.limits.target503Ms)}, clean-shutdown budget ${formatDuration(report.limits.shutdownBudgetMs)}.`,
  ];
  if (report.orderOverride !== undefined) {
    lines.push(`- **${cell(describeOrderOverride(report.orderOverride, timezone))}**`);
  }
  if (report.canary !== undefined) {
    lines.push(`- **${cell(describeCanaryStage(report.canary, timezone))}**`);
    for (const check of report.canary.checks ?? [])
      lines.push(`  - ${cell(`${check.server}: ${check.verdict} (${check.evidence})`)}`);
  }
  if (report.journal.tornTail) {
    lines.push(
      '- The journal ends in a line cut short (dbwave killed mid-write, or a write under way); it was left out.',
    );
  }
  const present = SERVER_OUTCOMES.filter((outcome) =>
    summary.classes.some((entry) => entry.outcomes[outcome] > 0),
  );
  lines.push(
    '',
    '### By class',
    '',
    ...table(
      ['Class', 'Planned', ...present.map(outcomeLabel)],
      summary.classes.map((entry) => [
        entry.class,
        entry.planned,
        ...present.map((outcome) => entry.outcomes[outcome]),
      ]),
    ),
  );
  return lines;
}

function alertsSection(report: WaveReport, timezone: string): string[] {
  if (report.alerts.length === 0) return [];
  return [
    '## Alerts',
    '',
    ...report.alerts.map(
      (alert) =>
        `- ${formatClock(alert.at, timezone)} ${alert.server ?? 'wave'}: **${alert.alert}** — ${cell(alert.message)}`,
    ),
  ];
}

/** The soak as a time line per server: a column per point, its state above the table. */
function soakSection(report: WaveReport, timezone: string): string[] {
  const soak = report.soak;
  if (soak === undefined) return [];
  const failure = soakFailureLines(soak);
  return [
    '## Soak',
    '',
    ...soak.points.map((point) => `- ${cell(describeSoakPoint(point, timezone))}`),
    '',
    ...(soak.servers.length === 0
      ? ['No server compared yet.']
      : table(
          ['Server', ...soak.points.map((point) => point.point)],
          soak.servers.map((timeline) => [
            timeline.server,
            ...soak.points.map((point) => soakCell(point, timeline)),
          ]),
        )),
    ...soak.servers.flatMap((timeline) =>
      timeline.points
        .filter((entry) => entry.verdict !== 'pass')
        .map((entry) => `- ${timeline.server} ${entry.point} ${entry.verdict}: ${cell(entry.evidence)}`),
    ),
    ...(failure.length === 0
      ? []
      : ['', `**${cell(failure[0] ?? '')}**`, '', '```', ...failure.slice(1), '```']),
    '',
  ];
}

/** Per class: crashes before the campaign and unplanned restarts since the upgrade. */
function crashSection(report: WaveReport): string[] {
  if (report.crashes === undefined) return [];
  const { header, rows } = crashTable(report.crashes);
  return ['## Crashes', '', ...table(header, rows), ''];
}

function overviewSection(report: WaveReport, timezone: string): string[] {
  return [
    '## Servers',
    '',
    ...table(
      ['Server', 'Class', 'Outcome', '503 window', 'Shutdown', 'Version before → after'],
      report.servers.map((server) => [
        server.name,
        server.class ?? '-',
        server.outcome === 'InProgress' && server.currentStep
          ? `in progress (${server.currentStep.step})`
          : outcomeLabel(server.outcome),
        formatWindow(server.window, timezone),
        server.shutdown === undefined
          ? '-'
          : `${formatOptionalDuration(server.shutdown.durationMs)}${server.shutdown.overBudget ? ' (over budget)' : ''}`,
        `${server.versions.before ?? '?'} → ${server.versions.after ?? '?'}`,
      ]),
    ),
  ];
}

function serverSection(server: ServerReport, timezone: string): string[] {
  if (server.outcome === 'NotExecuted') return [];
  const lines = [
    `### ${server.name}${server.class ? ` (${server.class})` : ''} — ${outcomeLabel(server.outcome)}`,
    '',
  ];
  for (const fact of serverFacts(server, timezone)) {
    const marker = fact.warning?.on === 'marker' ? ` (**${fact.warning.marker}**)` : '';
    lines.push(`- ${fact.label}: ${cell(fact.text)}${marker}`);
  }
  lines.push(
    '',
    ...table(
      ['Step', 'Status', 'Started', 'Duration', 'Error'],
      server.steps.map((step) => [
        step.step,
        step.status,
        formatClock(step.startedAt, timezone),
        formatOptionalDuration(step.durationMs),
        step.error ? `${step.error.code}: ${step.error.message}` : '',
      ]),
    ),
  );
  if (server.gates.length > 0) {
    lines.push(
      '',
      ...table(
        ['Phase', 'Gate', 'Verdict', 'Took', 'Evidence', 'Decision'],
        server.gates.map((gate) => [
          gate.phase,
          gate.gate,
          gate.verdict,
          formatOptionalDuration(gate.durationMs),
          gate.evidence,
          gate.decision ? describeDecision(gate.decision) : '',
        ]),
      ),
    );
  }
  if (server.innodb) {
    const controls = server.innodb.controls.length === 0 ? 'none' : server.innodb.controls.join(', ');
    lines.push(
      '',
      `InnoDB (${server.innodb.afterPhase} vs baseline${server.innodb.baseline === undefined ? '' : ` ${server.innodb.baseline}`}, verdict **${server.innodb.verdict}**, controls: ${controls}):`,
      '',
      ...table(
        ['Metric', 'Before', 'After', 'Change', 'Control shift', 'Verdict', 'Why'],
        server.innodb.metrics.map((metric) => [
          metric.name,
          formatRate(metric.before),
          formatRate(metric.after),
          formatChange(metric.change),
          formatChange(metric.controlShift),
          metric.verdict,
          metric.reason ?? '',
        ]),
      ),
    );
  }
  lines.push('');
  return lines;
}

/** The report as Markdown fit to paste into a ticket. */
export function renderReportMarkdown(report: WaveReport, options: RenderOptions = {}): string {
  const timezone = options.timezone ?? 'UTC';
  const lines = [
    `# ${report.campaign}: wave ${report.wave} — ${report.status}`,
    '',
    ...(report.change === undefined ? [] : [`Kind: ${report.change.description}.`, '']),
    `Generated ${formatInstant(report.generatedAt, timezone)} from ${report.journal.records} journal records (last ${formatInstant(report.journal.lastRecordAt, timezone)}).`,
    '',
    ...summarySection(report, timezone),
    '',
    ...alertsSection(report, timezone),
    ...(report.alerts.length > 0 ? [''] : []),
    ...soakSection(report, timezone),
    ...crashSection(report),
    ...overviewSection(report, timezone),
    '',
    ...report.servers.flatMap((server) => serverSection(server, timezone)),
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
