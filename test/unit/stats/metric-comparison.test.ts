import { describe, expect, it } from 'vitest';
import { compareInnodb } from '../../../src/analysis/innodb-comparison.js';
import type { ComparisonSettings } from '../../../src/stats/compare/comparison-settings.js';
import { METRIC_CATALOG } from '../../../src/stats/compare/metric-catalog.js';
import { compareMetric, type MetricSamples } from '../../../src/stats/compare/metric-comparison.js';
import { REQUIRED_INNODB_METRICS } from '../../support/required-innodb-metrics.js';

const settings: ComparisonSettings = {
  threshold: { relative: 0.5, floor: 1 },
  thresholds: {},
  alpha: 0.05,
};

function samples(
  name: string,
  before: number[],
  after: number[],
  controls: MetricSamples['controls'] = [],
): MetricSamples {
  return { name, before, after, controls };
}

const steady = (level: number): number[] =>
  [0.98, 1.01, 0.99, 1.02, 1.0, 0.97].map((factor) => level * factor);

describe('comparing one metric before and after', () => {
  it('flags physical reads that tripled as worse, and fails the gate without controls', () => {
    const result = compareMetric(samples('buffer_pool_reads', steady(100), steady(300)), settings);
    expect(result.before).toBeCloseTo(99.5, 6);
    expect(result.change).toBeCloseTo(2, 1);
    expect(result.verdict).toBe('worse');
    expect(result.control).toBe('no controls');
    expect(result.finding).toBe('fail');
    expect(result.changePValue).toBeLessThan(0.01);
  });

  it('calls fewer physical reads better', () => {
    const result = compareMetric(samples('buffer_pool_reads', steady(300), steady(100)), settings);
    expect(result.verdict).toBe('better');
    expect(result.finding).toBe('pass');
  });

  it('lets a change within the relative threshold pass', () => {
    expect(compareMetric(samples('row_lock_waits', steady(100), steady(140)), settings).verdict).toBe('ok');
  });

  it('never flags an idle metric whose change stays under the absolute floor, however large relatively', () => {
    const result = compareMetric(samples('row_lock_waits', steady(0.1), steady(0.9)), settings);
    expect(result.change).toBeGreaterThan(5);
    expect(result.verdict).toBe('ok');
  });

  it('flags a metric that was zero once its change passes the floor', () => {
    const result = compareMetric(samples('row_lock_waits', [0, 0, 0, 0, 0, 0], steady(5)), settings);
    expect(result.change).toBeUndefined();
    expect(result.verdict).toBe('worse');
  });

  it('judges the hit ratio by its own default threshold: a drop of a few points is worse', () => {
    const result = compareMetric(samples('buffer_pool_hit_ratio', steady(0.99), steady(0.95)), settings);
    expect(result.threshold).toEqual({ relative: 0.01, floor: 0.005 });
    expect(result.verdict).toBe('worse');
    expect(
      compareMetric(samples('buffer_pool_hit_ratio', steady(0.95), steady(0.99)), settings).verdict,
    ).toBe('better');
  });

  it('reports the workload (rows read) with its change but never judges it', () => {
    const result = compareMetric(samples('rows_read', steady(1000), steady(3000)), settings);
    expect(result.judged).toBe(false);
    expect(result.verdict).toBe('ok');
    expect(result.finding).toBe('informational');
    expect(result.change).toBeCloseTo(2, 1);
  });

  it('judges an informational metric, or any raw series, once the campaign gives it a direction', () => {
    const configured: ComparisonSettings = {
      ...settings,
      thresholds: {
        rows_read: { relative: 0.2, floor: 10, direction: 'lower-is-worse' },
        Innodb_deadlocks: { relative: 0.5, floor: 0.1, direction: 'higher-is-worse' },
      },
    };
    expect(compareMetric(samples('rows_read', steady(1000), steady(500)), configured).verdict).toBe('worse');
    expect(compareMetric(samples('Innodb_deadlocks', steady(0.1), steady(2)), configured).finding).toBe(
      'fail',
    );
    expect(compareMetric(samples('Innodb_deadlocks', steady(0.1), steady(2)), settings).finding).toBe(
      'informational',
    );
  });

  it('takes the campaign per-metric threshold over the catalog default over the global one', () => {
    const configured: ComparisonSettings = {
      ...settings,
      thresholds: { buffer_pool_hit_ratio: { relative: 0.1, floor: 0.05 } },
    };
    expect(
      compareMetric(samples('buffer_pool_hit_ratio', steady(0.99), steady(0.95)), configured).verdict,
    ).toBe('ok');
    expect(compareMetric(samples('data_fsyncs', steady(10), steady(20)), settings).threshold).toEqual({
      relative: 0.5,
      floor: 1,
    });
  });

  it('compares medians by default, so one stray interval does not decide', () => {
    const result = compareMetric(samples('data_fsyncs', steady(10), [10, 10, 10, 10, 10, 500]), settings);
    expect(result.after).toBe(10);
    expect(result.verdict).toBe('ok');
    const byMean = compareMetric(samples('data_fsyncs', steady(10), [10, 10, 10, 10, 10, 500]), {
      ...settings,
      aggregate: 'mean',
    });
    expect(byMean.verdict).toBe('worse');
  });

  it('makes a worse change within the server own noise inconclusive, not a failure', () => {
    const noisyBefore = [10, 80, 15, 90, 12, 70];
    const noisyAfter = [95, 20, 85, 18, 90, 75];
    const result = compareMetric(samples('data_fsyncs', noisyBefore, noisyAfter), settings);
    expect(result.verdict).toBe('worse');
    expect(result.changePValue).toBeGreaterThan(0.05);
    expect(result.finding).toBe('inconclusive');
  });

  it('says no data when either side has no samples', () => {
    const result = compareMetric(samples('history_list_length', [], steady(10)), settings);
    expect(result.verdict).toBe('no data');
    expect(result.finding).toBe('no data');
    expect(result.reason).toBe('no baseline samples');
  });
});

describe('judging a change against same-class controls', () => {
  it('passes a worse metric when the controls shifted alike over the same period (time of day)', () => {
    const result = compareMetric(
      samples('buffer_pool_reads', steady(100), steady(200), [
        { server: 'c1', before: steady(50), after: steady(100) },
        { server: 'c2', before: steady(80), after: steady(161) },
      ]),
      settings,
    );
    expect(result.verdict).toBe('worse');
    expect(result.controlShift).toBeCloseTo(1, 1);
    expect(result.control).toBe('same shift');
    expect(result.finding).toBe('pass');
  });

  it('fails a worse metric when the controls stayed flat: the shift differs significantly', () => {
    const result = compareMetric(
      samples('buffer_pool_reads', steady(100), steady(200), [
        { server: 'c1', before: steady(50), after: steady(51) },
        { server: 'c2', before: steady(80), after: steady(79) },
      ]),
      settings,
    );
    expect(result.control).toBe('differs');
    expect(result.controlPValue).toBeLessThan(0.05);
    expect(result.controlShift).toBeCloseTo(0, 1);
    expect(result.finding).toBe('fail');
    expect(result.reason).toContain('controls');
  });

  it('is inconclusive when neither the controls nor its own few samples can tell', () => {
    const result = compareMetric(
      samples('buffer_pool_reads', [100, 101], [200, 201], [{ server: 'c1', before: [50], after: [51] }]),
      settings,
    );
    expect(result.control).toBe('cannot tell');
    expect(result.finding).toBe('inconclusive');
  });

  it('fails when the controls cannot tell but its own samples show a significant worsening', () => {
    const result = compareMetric(
      samples(
        'buffer_pool_reads',
        [100, 101, 99, 100, 102, 98],
        [200, 201, 199, 202, 198, 200],
        [{ server: 'c1', before: [50], after: [51] }],
      ),
      settings,
    );
    expect(result.control).toBe('cannot tell');
    expect(result.finding).toBe('fail');
  });

  it('ignores controls without samples', () => {
    const result = compareMetric(
      samples('buffer_pool_reads', steady(100), steady(200), [
        { server: 'c1', before: [], after: steady(5) },
      ]),
      settings,
    );
    expect(result.control).toBe('no controls');
  });
});

describe('comparing a whole sampling', () => {
  it('covers every catalog metric in order, then the campaign extras, with no data where a series is missing', () => {
    const comparison = compareInnodb(
      {
        baseline: { buffer_pool_reads: steady(100), Innodb_deadlocks: steady(1) },
        after: { buffer_pool_reads: steady(100), Innodb_deadlocks: steady(1) },
      },
      { ...settings, thresholds: { Innodb_deadlocks: { relative: 0.5, floor: 1 } } },
    );
    expect(comparison.metrics.map((metric) => metric.name)).toEqual([
      ...METRIC_CATALOG.map((metric) => metric.name),
      'Innodb_deadlocks',
    ]);
    expect(comparison.metrics.find((metric) => metric.name === 'rows_read')?.verdict).toBe('no data');
    expect(comparison.controls).toEqual([]);
  });

  it('covers at least the metrics the issue asks for', () => {
    const names = METRIC_CATALOG.map((metric) => metric.name);
    expect(names).toEqual(expect.arrayContaining([...REQUIRED_INNODB_METRICS]));
  });

  it('hands each metric its controls series and names the controls', () => {
    const comparison = compareInnodb(
      {
        baseline: { buffer_pool_reads: steady(100) },
        after: { buffer_pool_reads: steady(200) },
        controls: [
          {
            server: 'db-07',
            baseline: { buffer_pool_reads: steady(10) },
            after: { buffer_pool_reads: steady(10) },
          },
        ],
      },
      settings,
    );
    expect(comparison.controls).toEqual(['db-07']);
    expect(comparison.metrics.find((metric) => metric.name === 'buffer_pool_reads')?.control).toBe('differs');
  });
});

describe('the history list length', () => {
  it('lets ordinary purge swings pass and flags a purge that falls thousands behind', () => {
    const settings: ComparisonSettings = {
      threshold: { relative: 0.5, floor: 1 },
      thresholds: {},
      alpha: 0.05,
    };
    expect(
      compareMetric(
        {
          name: 'history_list_length',
          before: [44, 75, 23, 65, 23, 40],
          after: [86, 90, 70, 95, 80, 88],
          controls: [],
        },
        settings,
      ).verdict,
    ).toBe('ok');
    expect(
      compareMetric(
        {
          name: 'history_list_length',
          before: [300, 310, 290, 305, 295, 300],
          after: [5000, 5200, 5400, 5600, 5800, 6000],
          controls: [],
        },
        settings,
      ).finding,
    ).toBe('fail');
  });
});
