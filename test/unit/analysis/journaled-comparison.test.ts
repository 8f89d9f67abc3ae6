import { describe, expect, it } from 'vitest';
import { compareJournaled } from '../../../src/analysis/journaled-comparison.js';
import { sampling } from './stats-sampling-fixture.js';

const steady = (level: number): number[] =>
  [0.98, 1.01, 0.99, 1.02, 1.0, 0.97].map((factor) => level * factor);

describe('comparing journaled samplings', () => {
  it('pairs each control beside the baseline with its sampling beside the recheck being compared', () => {
    const comparison = compareJournaled({
      baseline: sampling('db-01', 'baseline', steady(50)),
      after: sampling('db-01', 'recheck', steady(100)),
      controls: [
        sampling('db-09', 'control', steady(40), { for: 'db-01', phase: 'baseline' }),
        sampling('db-09', 'control', steady(60), { for: 'db-01', phase: 'after' }),
        sampling('db-09', 'control', steady(80), { for: 'db-01', phase: 'recheck' }),
        sampling('db-08', 'control', steady(40), { for: 'db-01', phase: 'baseline' }),
      ],
    });
    expect(comparison.controls).toEqual(['db-09']);
    const fsyncs = comparison.metrics.find((metric) => metric.name === 'data_fsyncs');
    expect(fsyncs?.change).toBeCloseTo(1, 5);
    expect(fsyncs?.controlShift).toBeCloseTo(1, 5);
  });

  it('leaves out a control with no sampling beside the later one', () => {
    const comparison = compareJournaled({
      baseline: sampling('db-01', 'baseline', steady(50)),
      after: sampling('db-01', 'after', steady(50)),
      controls: [sampling('db-09', 'control', steady(40), { for: 'db-01', phase: 'baseline' })],
    });
    expect(comparison.controls).toEqual([]);
  });
});
