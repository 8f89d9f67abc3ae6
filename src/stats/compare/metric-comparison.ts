import {
  allowedChange,
  type ComparisonSettings,
  exceedsThreshold,
  metricRule,
  type Threshold,
} from './comparison-settings.js';
import { type MannWhitneyResult, mannWhitneyU } from './mann-whitney-u.js';
import type { MetricDirection } from './metric-catalog.js';

/** What the threshold says about one metric's change from before to after. */
export type MetricVerdict = 'ok' | 'worse' | 'better' | 'no data';

/**
 * What the same-class controls say about a change: `differs` (the server's shift is not the
 * controls' shift: the upgrade did it), `same shift` (the controls moved alike: time of day),
 * `cannot tell` (too few samples, or values all tied: the test cannot reach the significance level) or `no controls`.
 */
export type ControlFinding = 'no controls' | 'cannot tell' | 'same shift' | 'differs';

/**
 * What one metric contributes to the InnoDB gate: `fail` (judged, worse beyond its threshold
 * and not explained by the controls or by noise), `inconclusive` (worse, but within the
 * server's own noise), `pass`, `informational` (never judged) or `no data`.
 */
export type MetricFinding = 'pass' | 'fail' | 'inconclusive' | 'informational' | 'no data';

export interface MetricComparison {
  readonly name: string;
  readonly description?: string;
  readonly direction: MetricDirection;
  readonly judged: boolean;
  readonly threshold: Threshold;
  /** Median (or mean) of the baseline intervals. */
  readonly before?: number;
  readonly after?: number;
  /** (after - before) / |before|; undefined when before is 0. */
  readonly change?: number;
  readonly verdict: MetricVerdict;
  /** Two-sided Mann-Whitney p-value of this server's baseline intervals against its after ones. */
  readonly changePValue?: number;
  /** Median relative shift of the controls over the same periods. */
  readonly controlShift?: number;
  /** Two-sided Mann-Whitney p-value of this server's relative shifts against the controls'. */
  readonly controlPValue?: number;
  readonly control: ControlFinding;
  readonly finding: MetricFinding;
  /** One line a person can read in a report or a gate's evidence. */
  readonly reason: string;
}

/** One control server's intervals over the baseline period and over the after period. */
export interface ControlSeries {
  readonly server: string;
  readonly before: readonly number[];
  readonly after: readonly number[];
}

export interface MetricSamples {
  readonly name: string;
  readonly before: readonly number[];
  readonly after: readonly number[];
  readonly controls: readonly ControlSeries[];
  /**
   * How far this metric's value strayed from the baseline on a normal past day at this hour
   * (a history baseline, analysis/history-baseline.ts): added to the change the threshold
   * allows, so that the server's daily swing is not read as the upgrade's effect. 0 or absent
   * for a sampled baseline.
   */
  readonly swing?: number;
}

/**
 * Judges one metric. The threshold decides `worse` or `better` (relative change beyond an
 * absolute floor). A worse judged metric fails the gate only when the controls, if they can
 * tell, shifted differently; without usable controls it fails only when the server's own
 * intervals show the change is significant, and is inconclusive otherwise.
 */
export function compareMetric(samples: MetricSamples, settings: ComparisonSettings): MetricComparison {
  const rule = metricRule(samples.name, settings);
  const judged = rule.direction !== 'informational';
  const head = {
    name: samples.name,
    ...(rule.catalog ? { description: rule.catalog.description } : {}),
    direction: rule.direction,
    judged,
    threshold: rule.threshold,
  };
  if (samples.before.length === 0 || samples.after.length === 0) {
    const missing = samples.before.length === 0 ? 'baseline' : 'after';
    return {
      ...head,
      verdict: 'no data',
      control: 'no controls',
      finding: 'no data',
      reason: `no ${missing} samples`,
    };
  }
  const aggregate = settings.aggregate === 'mean' ? mean : median;
  const before = aggregate(samples.before);
  const after = aggregate(samples.after);
  const change = before === 0 ? undefined : (after - before) / Math.abs(before);
  const swing = samples.swing ?? 0;
  const verdict = thresholdVerdict(before, after, rule.threshold, rule.direction, swing);
  const changeTest = mannWhitneyU(samples.before, samples.after);
  const controls = controlComparison(samples, before, rule.threshold, aggregate, settings.alpha);
  const finding = judged
    ? metricFinding(verdict, controls.finding, changeTest, settings.alpha)
    : 'informational';
  return {
    ...head,
    before,
    after,
    ...(change === undefined ? {} : { change }),
    verdict,
    ...(changeTest ? { changePValue: changeTest.pValue } : {}),
    ...(controls.shift === undefined ? {} : { controlShift: controls.shift }),
    ...(controls.pValue === undefined ? {} : { controlPValue: controls.pValue }),
    control: controls.finding,
    finding,
    reason: describe(
      { before, after, change, verdict, threshold: rule.threshold, swing },
      controls,
      finding,
      changeTest,
    ),
  };
}

function thresholdVerdict(
  before: number,
  after: number,
  threshold: Threshold,
  direction: MetricDirection,
  swing: number,
): MetricVerdict {
  if (direction === 'informational' || !exceedsThreshold(before, after, threshold, swing)) return 'ok';
  const up = after > before;
  return up === (direction === 'higher-is-worse') ? 'worse' : 'better';
}

interface ControlResult {
  readonly finding: ControlFinding;
  readonly shift?: number;
  readonly pValue?: number;
}

/**
 * Servers differ in load, so shifts are compared relative to each server's own baseline: every
 * after-interval becomes (value - baseline) / baseline, the floor standing in for a baseline
 * near zero, and the server's shifts are ranked against the controls' pooled shifts.
 */
function controlComparison(
  samples: MetricSamples,
  before: number,
  threshold: Threshold,
  aggregate: (values: readonly number[]) => number,
  alpha: number,
): ControlResult {
  const usable = samples.controls.filter((control) => control.before.length > 0 && control.after.length > 0);
  if (usable.length === 0) return { finding: 'no controls' };
  const ownShifts = relativeShifts(samples.after, before, threshold);
  const controlShifts = usable.flatMap((control) =>
    relativeShifts(control.after, aggregate(control.before), threshold),
  );
  const shift = median(controlShifts);
  const test = mannWhitneyU(ownShifts, controlShifts);
  if (test === undefined) return { finding: 'no controls' };
  if (test.minimumPValue > alpha) return { finding: 'cannot tell', shift, pValue: test.pValue };
  return { finding: test.pValue < alpha ? 'differs' : 'same shift', shift, pValue: test.pValue };
}

function relativeShifts(values: readonly number[], baseline: number, threshold: Threshold): number[] {
  const scale = Math.max(Math.abs(baseline), threshold.floor, Number.EPSILON);
  return values.map((value) => (value - baseline) / scale);
}

function metricFinding(
  verdict: MetricVerdict,
  control: ControlFinding,
  changeTest: MannWhitneyResult | undefined,
  alpha: number,
): MetricFinding {
  if (verdict !== 'worse') return 'pass';
  if (control === 'differs') return 'fail';
  if (control === 'same shift') return 'pass';
  // No usable controls: nothing says whether the time of day moved the metric too, so a rollback
  // needs the server's own intervals to show the change is real (significant). Too few samples
  // to tell, or a change within their noise, is inconclusive: the campaign (or the DBA) decides.
  const testCanTell = changeTest !== undefined && changeTest.minimumPValue <= alpha;
  return testCanTell && changeTest.pValue < alpha ? 'fail' : 'inconclusive';
}

interface ThresholdOutcome {
  readonly before: number;
  readonly after: number;
  readonly change: number | undefined;
  readonly verdict: MetricVerdict;
  readonly threshold: Threshold;
  readonly swing: number;
}

function describe(
  outcome: ThresholdOutcome,
  controls: ControlResult,
  finding: MetricFinding,
  changeTest: MannWhitneyResult | undefined,
): string {
  const { before, after, change, verdict, threshold, swing } = outcome;
  const allowed = formatNumber(allowedChange(before, threshold, swing));
  const parts = [
    `${formatNumber(before)} -> ${formatNumber(after)}${change === undefined ? '' : ` (${formatPercent(change)})`}`,
    `${verdict} (allowed ±${allowed}${swing > 0 ? `, daily swing ±${formatNumber(swing)} included` : ''})`,
  ];
  if (changeTest) parts.push(`p=${formatP(changeTest.pValue)}`);
  if (controls.finding !== 'no controls') {
    parts.push(
      `controls ${controls.shift === undefined ? '' : `${formatPercent(controls.shift)} `}` +
        `${controls.finding}${controls.pValue === undefined ? '' : ` (p=${formatP(controls.pValue)})`}`,
    );
  }
  if (finding === 'inconclusive') parts.push('within its own noise');
  return parts.join(', ');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function formatPercent(ratio: number): string {
  return `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`;
}

function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
