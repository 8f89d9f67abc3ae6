import { describe, expect, it } from 'vitest';
import { compareJournaled } from '../../../src/analysis/journaled-comparison.js';
import type { StatsRecord } from '../../../src/engine/journal/journal-record.js';

const steady = (level: number): number[] =>
  [0.98, 1.01, 0.99, 1.02, 1.0, 0.97].map((factor) => level * factor);

function sampling(
  server: string,
  phase: StatsRecord['phase'],
  level: number,
  control?: { readonly for: string; readonly phase?: StatsRecord['controlPhase'] },
): StatsRecord {
  return {
    v: 1,
    seq: 1,
    at: '2026-11-24T10:00:00.000Z',
    campaign: 'test',
    kind: 'stats',
    wave: 1,
    server,
    phase,
    ...(control === undefined ? {} : { controlFor: control.for }),
    ...(control?.phase === undefined ? {} : { controlPhase: control.phase }),
    intervalMs: 10_000,
    series: { data_fsyncs: steady(level) },
  };
}

describe('comparing journaled samplings', () => {
  it('pairs each control beside the baseline with its sampling beside the recheck being compared', () => {
    const comparison = compareJournaled({
      baseline: sampling('db-01', 'baseline', 50),
      after: sampling('db-01', 'recheck', 100),
      controls: [
        sampling('db-09', 'control', 40, { for: 'db-01', phase: 'baseline' }),
        sampling('db-09', 'control', 60, { for: 'db-01', phase: 'after' }),
        sampling('db-09', 'control', 80, { for: 'db-01', phase: 'recheck' }),
        sampling('db-08', 'control', 40, { for: 'db-01', phase: 'baseline' }),
      ],
    });
    expect(comparison.controls).toEqual(['db-09']);
    const fsyncs = comparison.metrics.find((metric) => metric.name === 'data_fsyncs');
    expect(fsyncs?.change).toBeCloseTo(1, 5);
    expect(fsyncs?.controlShift).toBeCloseTo(1, 5);
  });

  it('leaves out a control with no sampling beside the later one', () => {
    const comparison = compareJournaled({
      baseline: sampling('db-01', 'baseline', 50),
      after: sampling('db-01', 'after', 50),
      controls: [sampling('db-09', 'control', 40, { for: 'db-01', phase: 'baseline' })],
    });
    expect(comparison.controls).toEqual([]);
  });
});
