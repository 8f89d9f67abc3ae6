import { describe, expect, it } from 'vitest';
import {
  controlSeries,
  journaledBaselines,
  laterSampling,
} from '../../../src/analysis/baseline-selection.js';
import { sampling } from './stats-sampling-fixture.js';

describe('choosing what a server is compared with', () => {
  it("takes the server's latest baseline, and its controls' samplings beside that baseline", () => {
    const stats = [
      sampling('db-01', 'baseline', [1]),
      sampling('db-09', 'control', [2], { for: 'db-01', phase: 'baseline' }),
      sampling('db-01', 'after', [3]),
      sampling('db-09', 'control', [4], { for: 'db-01', phase: 'after' }),
      sampling('db-01', 'baseline', [5]),
      sampling('db-09', 'control', [6], { for: 'db-01', phase: 'baseline' }),
      sampling('db-08', 'control', [7], { for: 'db-02', phase: 'baseline' }),
    ];
    const baselines = journaledBaselines(stats, 'db-01');
    expect(baselines.server?.series).toEqual({ data_fsyncs: [5] });
    expect([...baselines.controls]).toEqual([['db-09', { data_fsyncs: [6] }]]);
  });

  it('compares a recheck rather than the after sampling once dbwave compare has taken one', () => {
    const after = sampling('db-01', 'after', [1]);
    const recheck = sampling('db-01', 'recheck', [2]);
    expect(laterSampling([sampling('db-01', 'baseline', [0]), after], 'db-01')).toBe(after);
    expect(laterSampling([after, recheck, sampling('db-01', 'after', [3])], 'db-01')).toBe(recheck);
    expect(laterSampling([sampling('db-01', 'baseline', [0])], 'db-01')).toBeUndefined();
  });

  it('reads a control sampled beside a period from the mark it carries', () => {
    const stats = [
      sampling('db-09', 'control', [1], { for: 'db-01', phase: 'baseline' }),
      sampling('db-09', 'control', [2], { for: 'db-01', phase: 'after' }),
      sampling('db-09', 'control', [3], { for: 'db-01', phase: 'recheck' }),
      sampling('db-07', 'control', [4], { for: 'db-01', phase: 'baseline' }),
    ];
    expect([...controlSeries(stats, 'db-01', 'after')]).toEqual([['db-09', { data_fsyncs: [2] }]]);
    expect([...controlSeries(stats, 'db-01', 'recheck')]).toEqual([['db-09', { data_fsyncs: [3] }]]);
    expect([...controlSeries(stats, 'db-01', 'baseline').keys()]).toEqual(['db-09', 'db-07']);
  });

  it('reads a journal from before controls were marked: first the baseline, last the later sampling', () => {
    const stats = [
      sampling('db-09', 'control', [1], { for: 'db-01' }),
      sampling('db-09', 'control', [2], { for: 'db-01' }),
      sampling('db-07', 'control', [3], { for: 'db-01' }),
    ];
    expect([...controlSeries(stats, 'db-01', 'baseline')]).toEqual([
      ['db-09', { data_fsyncs: [1] }],
      ['db-07', { data_fsyncs: [3] }],
    ]);
    // A lone sampling is a baseline only: it cannot show a shift.
    expect([...controlSeries(stats, 'db-01', 'after')]).toEqual([['db-09', { data_fsyncs: [2] }]]);
  });
});
