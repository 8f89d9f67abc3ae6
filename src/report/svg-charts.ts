/**
 * Inline SVG charts for the HTML report: plain strings, no script, no external font or style,
 * so the report opens anywhere (a ticket attachment, an air-gapped laptop).
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export type BarState = 'ok' | 'over' | 'open' | 'failed';

export interface BarRow {
  readonly label: string;
  /** Absent: nothing measured (the row stays, empty, so servers line up across charts). */
  readonly value?: number;
  readonly state: BarState;
}

export interface BarChartSpec {
  readonly title: string;
  readonly rows: readonly BarRow[];
  /** A vertical line: the target or the budget. */
  readonly reference: { readonly value: number; readonly label: string };
  readonly format: (value: number) => string;
  /** Tick spacing for an axis up to `max`; default: durations (1s, 5s, 1m, 5m, 10m, 1h ...). */
  readonly tickStep?: (max: number) => number;
}

const DURATION_STEPS_MS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_200_000,
  1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000,
];

/** A tick step that gives at most five ticks on a duration axis up to `max` milliseconds. */
export function durationTickStep(max: number): number {
  return DURATION_STEPS_MS.find((step) => max / step <= 5) ?? Math.ceil(max / 5);
}

const COLORS: Readonly<Record<BarState, string>> = {
  ok: '#2e7d32',
  over: '#c62828',
  open: '#f9a825',
  failed: '#6a1b9a',
};

const WIDTH = 760;
const LABEL_WIDTH = 160;
const VALUE_WIDTH = 110;
const ROW_HEIGHT = 22;
const TOP = 34;
const BOTTOM = 26;

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= value) ?? 10;
  return step * magnitude;
}

/**
 * Horizontal bars, one per row, with a reference line. When the reference is far beyond every
 * bar (a 60-minute budget against 10-second shutdowns) drawing it would flatten the bars, so
 * it is named at the right edge instead.
 */
export function barChart(spec: BarChartSpec): string {
  const values = spec.rows.map((row) => row.value ?? 0);
  const largest = Math.max(0, ...values);
  const referenceFits = spec.reference.value <= Math.max(largest, 1) * 3;
  const wanted = Math.max(largest * 1.05, referenceFits ? spec.reference.value * 1.05 : 0, 1);
  const step = (spec.tickStep ?? durationTickStep)(wanted);
  const scaleMax = Math.ceil(wanted / step) * step;
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = TOP + spec.rows.length * ROW_HEIGHT + BOTTOM;
  const x = (value: number): number => LABEL_WIDTH + (value / scaleMax) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
    `<text x="0" y="16" class="chart-title">${escapeHtml(spec.title)}</text>`,
  ];
  for (let value = 0; value <= scaleMax; value += step) {
    parts.push(
      `<line x1="${x(value)}" y1="${TOP - 6}" x2="${x(value)}" y2="${height - BOTTOM}" stroke="#e0e0e0"/>`,
      `<text x="${x(value)}" y="${height - 8}" text-anchor="middle" class="tick">${value === 0 ? '0' : escapeHtml(spec.format(value))}</text>`,
    );
  }
  spec.rows.forEach((row, index) => {
    const y = TOP + index * ROW_HEIGHT;
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>`,
    );
    if (row.value === undefined) {
      parts.push(`<text x="${LABEL_WIDTH + 4}" y="${y + 15}" class="none">not measured</text>`);
      return;
    }
    const width = Math.max(1, x(row.value) - LABEL_WIDTH);
    parts.push(
      `<rect x="${LABEL_WIDTH}" y="${y + 4}" width="${width}" height="${ROW_HEIGHT - 8}" fill="${COLORS[row.state]}"><title>${escapeHtml(`${row.label}: ${spec.format(row.value)}`)}</title></rect>`,
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 15}" class="value">${escapeHtml(spec.format(row.value))}${row.state === 'open' ? ' (so far)' : ''}</text>`,
    );
  });
  if (referenceFits) {
    const rx = x(spec.reference.value);
    parts.push(
      `<line x1="${rx}" y1="${TOP - 8}" x2="${rx}" y2="${height - BOTTOM}" stroke="#000" stroke-dasharray="5,3" stroke-width="1.5"/>`,
      `<text x="${rx}" y="${TOP - 12}" text-anchor="middle" class="reference">${escapeHtml(spec.reference.label)}</text>`,
    );
  } else {
    parts.push(
      `<text x="${WIDTH}" y="${TOP - 12}" text-anchor="end" class="reference">${escapeHtml(spec.reference.label)} (off scale →)</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface ShiftPoint {
  readonly series: string;
  readonly label: string;
  readonly change: number;
  readonly verdict: 'pass' | 'fail' | 'inconclusive' | 'informational' | 'no data';
}

const VERDICT_COLORS: Readonly<Record<ShiftPoint['verdict'], string>> = {
  pass: '#2e7d32',
  fail: '#c62828',
  inconclusive: '#f9a825',
  informational: '#78909c',
  'no data': '#bdbdbd',
};

/**
 * One row per metric, one dot per server at its relative change, the allowed band shaded:
 * a whole wave's InnoDB shifts at a glance, outliers named on hover.
 */
export function shiftStripChart(title: string, points: readonly ShiftPoint[], band: number): string {
  const series = [...new Set(points.map((point) => point.series))].sort();
  const largest = Math.max(band * 2, ...points.map((point) => Math.abs(point.change)));
  const limit = Math.min(niceCeiling(largest), 2);
  const plotWidth = WIDTH - LABEL_WIDTH - 30;
  const height = TOP + series.length * ROW_HEIGHT + BOTTOM;
  const x = (change: number): number =>
    LABEL_WIDTH + ((Math.max(-limit, Math.min(limit, change)) + limit) / (2 * limit)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="16" class="chart-title">${escapeHtml(title)}</text>`,
    `<rect x="${x(-band)}" y="${TOP - 4}" width="${x(band) - x(-band)}" height="${series.length * ROW_HEIGHT + 4}" fill="#e8f5e9"/>`,
  ];
  for (const tick of [-limit, -limit / 2, 0, limit / 2, limit]) {
    parts.push(
      `<line x1="${x(tick)}" y1="${TOP - 4}" x2="${x(tick)}" y2="${height - BOTTOM}" stroke="${tick === 0 ? '#9e9e9e' : '#e0e0e0'}"/>`,
      `<text x="${x(tick)}" y="${height - 8}" text-anchor="middle" class="tick">${tick > 0 ? '+' : ''}${Math.round(tick * 100)}%</text>`,
    );
  }
  series.forEach((name, index) => {
    const y = TOP + index * ROW_HEIGHT;
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(name)}</text>`,
    );
    for (const point of points.filter((candidate) => candidate.series === name)) {
      const clipped = Math.abs(point.change) > limit;
      parts.push(
        `<circle cx="${x(point.change)}" cy="${y + 11}" r="5" fill="${clipped ? 'none' : VERDICT_COLORS[point.verdict]}" stroke="${VERDICT_COLORS[point.verdict]}" stroke-width="2" fill-opacity="0.75"><title>${escapeHtml(`${point.label}: ${point.change >= 0 ? '+' : ''}${(point.change * 100).toFixed(1)}% (${point.verdict})`)}</title></circle>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
