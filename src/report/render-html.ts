import { formatDuration } from '../core/duration.js';
import { SERVER_OUTCOMES } from '../engine/journal/journal-record.js';
import { describeCanaryStage } from './canary-stage-entry.js';
// The report's words (durations, clocks, windows, outcomes) are the Markdown report's too.
import * as words from './report-format.js';
import { type BarRow, barChart, escapeHtml, type ShiftPoint, shiftStripChart } from './svg-charts.js';
import type { ServerReport, WaveReport, WindowTiming } from './wave-report.js';

export interface HtmlRenderOptions extends words.RenderOptions {
  /** The InnoDB band shaded in the shift chart (the campaign's `stats.threshold.relative`). */
  readonly innodbBand?: number;
}

const STYLE = `
body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:24px auto;max-width:1100px;color:#212121;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#757575}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}th,td{border:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#fafafa}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;background:#757575}
.Upgraded,.AlreadyUpgraded,.pass,.succeeded,.finished{background:#2e7d32}.RolledBack,.inconclusive,.InProgress,.running,.in-progress{background:#f9a825;color:#212121}
.PrecheckFailed,.NeedsPerson,.NeedsUserMigration,.fail,.failed,.halted{background:#c62828}.NotExecuted,.skipped,.interrupted,.not-started,.no-data{background:#9e9e9e}.informational{background:#78909c}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}.card{border:1px solid #e0e0e0;border-radius:6px;padding:6px 12px;min-width:96px}
.card b{display:block;font-size:20px}.over{color:#c62828;font-weight:600}
details{margin:4px 0 10px}summary{cursor:pointer}
svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}svg .chart-title{font-weight:600;font-size:13px}
svg .label,svg .value,svg .tick,svg .none,svg .reference{font-size:11px}svg .none{fill:#9e9e9e}svg .reference{font-weight:600}
`;

function badge(text: string, kind: string): string {
  return `<span class="badge ${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

function htmlTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const head = header.map((title) => `<th>${escapeHtml(title)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((value, index) => `<td${numeric.includes(index) ? ' class="num"' : ''}>${value}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function windowState(window: WindowTiming | undefined): BarRow['state'] {
  if (window?.durationMs === undefined) return 'open';
  return window.overTarget ? 'over' : 'ok';
}

function windowRow(server: ServerReport, now: number): BarRow {
  const window = server.window;
  if (window === undefined) return { label: server.name, state: 'ok' };
  const value = window.durationMs ?? Math.max(0, now - Date.parse(window.openedAt));
  return { label: server.name, value, state: windowState(window) };
}

function shutdownRow(server: ServerReport, now: number, startedAt: string | undefined): BarRow {
  const shutdown = server.shutdown;
  if (shutdown === undefined) return { label: server.name, state: 'ok' };
  if (shutdown.durationMs === undefined) {
    const value = startedAt === undefined ? undefined : Math.max(0, now - Date.parse(startedAt));
    return { label: server.name, ...(value === undefined ? {} : { value }), state: 'open' };
  }
  return {
    label: server.name,
    value: shutdown.durationMs,
    state: shutdown.status === 'failed' ? 'failed' : shutdown.overBudget ? 'over' : 'ok',
  };
}

function chartsSection(report: WaveReport, band: number): string {
  const now = Date.parse(report.generatedAt);
  const started = report.servers.filter((server) => server.outcome !== 'NotExecuted');
  if (started.length === 0) return '<p class="muted">No server has started yet.</p>';
  const charts = [
    barChart({
      title: '503 window per server',
      rows: started.map((server) => windowRow(server, now)),
      reference: {
        value: report.limits.target503Ms,
        label: `target ${formatDuration(report.limits.target503Ms)}`,
      },
      format: formatDuration,
    }),
    barChart({
      title: 'Clean shutdown per server',
      rows: started.map((server) =>
        shutdownRow(server, now, server.steps.filter((step) => step.step === 'shutdown').at(-1)?.startedAt),
      ),
      reference: {
        value: report.limits.shutdownBudgetMs,
        label: `budget ${formatDuration(report.limits.shutdownBudgetMs)}`,
      },
      format: formatDuration,
    }),
  ];
  const points: ShiftPoint[] = started.flatMap((server) =>
    (server.innodb?.metrics ?? []).flatMap((metric) =>
      metric.change === null
        ? []
        : [{ series: metric.name, label: server.name, change: metric.change, verdict: metric.verdict }],
    ),
  );
  if (points.length > 0) {
    charts.push(
      shiftStripChart(
        `InnoDB rate shifts after the upgrade (band ±${Math.round(band * 100)}%)`,
        points,
        band,
      ),
    );
  }
  charts.push(
    '<p class="muted">Bars: green within the target or budget, red over it, amber still running (so far), purple failed. Dots: one per server, green pass, red fail, amber inconclusive, grey informational (workload, never judged), hollow off the scale.</p>',
  );
  return charts.join('\n');
}

function summarySection(report: WaveReport, timezone: string): string {
  const { summary } = report;
  const cards: [string, number][] = [
    ['planned', summary.planned],
    ['upgraded', summary.upgraded],
    ['already upgraded', summary.alreadyUpgraded],
    ['rolled back', summary.rolledBack],
    ['precheck failed', summary.precheckFailed],
    ['needs a person', summary.needsPerson],
    ['needs user migration', summary.needsUserMigration],
    ['in progress', summary.inProgress],
    ['not executed', summary.notExecuted],
  ];
  const budget = summary.failureBudget;
  const present = SERVER_OUTCOMES.filter((outcome) =>
    summary.classes.some((entry) => entry.outcomes[outcome] > 0),
  );
  return [
    `<div class="cards">${cards.map(([label, count]) => `<div class="card"><b>${count}</b>${escapeHtml(label)}</div>`).join('')}</div>`,
    '<ul>',
    `<li>Started ${escapeHtml(words.formatInstant(summary.startedAt, timezone))}${
      summary.endedAt === undefined
        ? ''
        : `, ended ${escapeHtml(words.formatInstant(summary.endedAt, timezone))}`
    }; wall time <b>${escapeHtml(words.formatOptionalDuration(summary.wallTimeMs))}</b>.</li>`,
    `<li>Failure budget: ${budget.used} used of ${budget.allowed} allowed (${escapeHtml(String(budget.spec))})${
      budget.exceeded ? ' — <span class="over">exceeded, the wave halted</span>' : ''
    }.</li>`,
    `<li>503 window target ${escapeHtml(formatDuration(report.limits.target503Ms))}; clean-shutdown budget ${escapeHtml(formatDuration(report.limits.shutdownBudgetMs))}.</li>`,
    report.orderOverride === undefined
      ? ''
      : `<li class="over">${escapeHtml(words.describeOrderOverride(report.orderOverride, timezone))}</li>`,
    report.canary === undefined
      ? ''
      : `<li class="${report.canary.state === 'stopped' ? 'over' : 'canary'}">${escapeHtml(describeCanaryStage(report.canary, timezone))}${
          (report.canary.checks ?? []).length === 0
            ? ''
            : `<ul>${(report.canary.checks ?? []).map((check) => `<li>${escapeHtml(`${check.server}: ${check.verdict} (${check.evidence})`)}</li>`).join('')}</ul>`
        }</li>`,
    report.journal.tornTail
      ? '<li>The journal ends in a line cut short (dbwave killed mid-write, or a write under way); it was left out.</li>'
      : '',
    '</ul>',
    htmlTable(
      ['Class', 'Planned', ...present.map(words.outcomeLabel)],
      summary.classes.map((entry) => [
        escapeHtml(entry.class),
        String(entry.planned),
        ...present.map((outcome) => String(entry.outcomes[outcome])),
      ]),
      present.map((_outcome, index) => index + 2).concat([1]),
    ),
  ].join('\n');
}

/** The soak as a time line per server: a column per point, its state above the table. */
function soakSection(report: WaveReport, timezone: string): string {
  const soak = report.soak;
  if (soak === undefined) return '';
  const failure = words.soakFailureLines(soak);
  const verdictCell = (text: string): string =>
    text === 'pass' || text === 'fail' || text === 'inconclusive' ? badge(text, text) : escapeHtml(text);
  return [
    '<h2>Soak</h2>',
    `<ul>${soak.points
      .map(
        (point) =>
          `<li${point.state === 'missed' || point.verdict === 'fail' ? ' class="over"' : ''}>${escapeHtml(words.describeSoakPoint(point, timezone))}</li>`,
      )
      .join('')}</ul>`,
    soak.servers.length === 0
      ? '<p class="muted">No server compared yet.</p>'
      : htmlTable(
          ['Server', ...soak.points.map((point) => escapeHtml(point.point))],
          soak.servers.map((timeline) => [
            escapeHtml(timeline.server),
            ...soak.points.map((point) => {
              const entry = timeline.points.find((candidate) => candidate.point === point.point);
              const shown = verdictCell(words.soakCell(point, timeline));
              return entry === undefined
                ? shown
                : `<span title="${escapeHtml(entry.evidence)}">${shown}</span>`;
            }),
          ]),
        ),
    failure.length === 0
      ? ''
      : `<p class="over">${escapeHtml(failure[0] ?? '')}</p><pre>${escapeHtml(failure.slice(1).join('\n'))}</pre>`,
  ].join('\n');
}

/** Per class: crashes before the campaign and unplanned restarts since the upgrade. */
function crashSection(report: WaveReport): string {
  if (report.crashes === undefined) return '';
  const { header, rows } = words.crashTable(report.crashes);
  return [
    '<h2>Crashes</h2>',
    htmlTable(
      header,
      rows.map((row) => row.map(escapeHtml)),
    ),
  ].join('\n');
}

function overviewTable(report: WaveReport, timezone: string): string {
  return htmlTable(
    ['Server', 'Class', 'Outcome', '503 window', 'Shutdown', 'Before → after'],
    report.servers.map((server) => [
      `<a href="#server-${escapeHtml(server.name)}">${escapeHtml(server.name)}</a>`,
      escapeHtml(server.class ?? '-'),
      badge(
        server.outcome === 'InProgress' && server.currentStep
          ? `in progress: ${server.currentStep.step}`
          : words.outcomeLabel(server.outcome),
        server.outcome,
      ),
      `<span${server.window?.overTarget ? ' class="over"' : ''}>${escapeHtml(words.formatWindow(server.window, timezone))}</span>`,
      server.shutdown === undefined
        ? '-'
        : `<span${server.shutdown.overBudget ? ' class="over"' : ''}>${escapeHtml(words.formatOptionalDuration(server.shutdown.durationMs))}</span>`,
      escapeHtml(`${server.versions.before ?? '?'} → ${server.versions.after ?? '?'}`),
    ]),
  );
}

function serverSection(server: ServerReport, timezone: string): string {
  if (server.outcome === 'NotExecuted') return '';
  const facts = words.serverFacts(server, timezone).map((fact) => {
    const label =
      fact.warning?.on === 'label'
        ? `<span class="over">${escapeHtml(fact.label)}</span>`
        : escapeHtml(fact.label);
    const marker =
      fact.warning?.on === 'marker' ? ` <span class="over">${escapeHtml(fact.warning.marker)}</span>` : '';
    return `${label}: ${escapeHtml(fact.text)}${marker}`;
  });
  const steps = htmlTable(
    ['Step', 'Status', 'Started', 'Duration', 'Error'],
    server.steps.map((step) => [
      escapeHtml(step.step),
      badge(step.status, step.status),
      escapeHtml(words.formatClock(step.startedAt, timezone)),
      escapeHtml(words.formatOptionalDuration(step.durationMs)),
      step.error ? escapeHtml(`${step.error.code}: ${step.error.message}`) : '',
    ]),
    [3],
  );
  const gates =
    server.gates.length === 0
      ? ''
      : htmlTable(
          ['Phase', 'Gate', 'Verdict', 'Took', 'Evidence', 'Decision'],
          server.gates.map((gate) => [
            escapeHtml(gate.phase),
            escapeHtml(gate.gate),
            badge(gate.verdict, gate.verdict),
            escapeHtml(words.formatOptionalDuration(gate.durationMs)),
            escapeHtml(gate.evidence),
            gate.decision ? escapeHtml(words.describeDecision(gate.decision)) : '',
          ]),
        );
  const innodb =
    server.innodb === undefined
      ? ''
      : `<p>InnoDB (${escapeHtml(server.innodb.afterPhase)} vs baseline${server.innodb.baseline === undefined ? '' : ` ${escapeHtml(server.innodb.baseline)}`}) ${badge(server.innodb.verdict, server.innodb.verdict)} controls: ${escapeHtml(server.innodb.controls.join(', ') || 'none')}</p>${htmlTable(
          ['Metric', 'Before', 'After', 'Change', 'Control shift', 'Verdict', 'Why'],
          server.innodb.metrics.map((metric) => [
            escapeHtml(metric.name),
            escapeHtml(words.formatRate(metric.before)),
            escapeHtml(words.formatRate(metric.after)),
            escapeHtml(words.formatChange(metric.change)),
            escapeHtml(words.formatChange(metric.controlShift)),
            badge(metric.verdict, metric.verdict.replace(' ', '-')),
            `<span class="muted">${escapeHtml(metric.reason ?? '')}</span>`,
          ]),
          [1, 2, 3, 4],
        )}`;
  return [
    `<section id="server-${escapeHtml(server.name)}">`,
    `<h3>${escapeHtml(server.name)}${server.class ? ` <span class="muted">${escapeHtml(server.class)}</span>` : ''} ${badge(words.outcomeLabel(server.outcome), server.outcome)}</h3>`,
    `<ul>${facts.map((fact) => `<li>${fact}</li>`).join('')}</ul>`,
    `<details${server.outcome === 'Upgraded' || server.outcome === 'AlreadyUpgraded' ? '' : ' open'}><summary>Steps and gates</summary>${steps}${gates}</details>`,
    innodb,
    '</section>',
  ].join('\n');
}

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, no link to
 * anything outside the file.
 */
export function renderReportHtml(report: WaveReport, options: HtmlRenderOptions = {}): string {
  const timezone = options.timezone ?? 'UTC';
  const title = `${report.campaign}: wave ${report.wave}`;
  const alerts =
    report.alerts.length === 0
      ? ''
      : `<h2>Alerts</h2><ul>${report.alerts
          .map(
            (alert) =>
              `<li>${escapeHtml(words.formatClock(alert.at, timezone))} ${escapeHtml(alert.server ?? 'wave')}: <b>${escapeHtml(alert.alert)}</b> — ${escapeHtml(alert.message)}</li>`,
          )
          .join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)} ${badge(report.status, report.status)}</h1>
<p class="muted">Generated ${escapeHtml(words.formatInstant(report.generatedAt, timezone))} from ${report.journal.records} journal records (last ${escapeHtml(words.formatInstant(report.journal.lastRecordAt, timezone))}). Report schema ${report.schemaVersion}.</p>
<h2>Summary</h2>
${summarySection(report, timezone)}
${alerts}
${soakSection(report, timezone)}
${crashSection(report)}
<h2>Charts</h2>
${chartsSection(report, options.innodbBand ?? 0.5)}
<h2>Servers</h2>
${overviewTable(report, timezone)}
${report.servers.map((server) => serverSection(server, timezone)).join('\n')}
</body>
</html>
`;
}
