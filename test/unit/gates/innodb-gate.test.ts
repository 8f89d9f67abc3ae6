import { describe, expect, it } from 'vitest';
import { compareInnodb } from '../../../src/analysis/innodb-comparison.js';
import { innodbGate } from '../../../src/analysis/innodb-gate.js';
import type { ComparisonSettings } from '../../../src/stats/compare/comparison-settings.js';

const settings: ComparisonSettings = { threshold: { relative: 0.5, floor: 1 }, thresholds: {}, alpha: 0.05 };
const steady = (level: number): number[] =>
  [0.98, 1.01, 0.99, 1.02, 1.0, 0.97].map((factor) => level * factor);

const healthy = {
  buffer_pool_read_requests: steady(5000),
  buffer_pool_reads: steady(20),
  buffer_pool_hit_ratio: steady(0.996),
  data_fsyncs: steady(40),
  row_lock_waits: steady(2),
  history_list_length: steady(300),
  rows_read: steady(9000),
};

describe('the InnoDB gate', () => {
  it('passes a server whose judged metrics stay within their thresholds, naming what had no data', () => {
    const verdict = innodbGate(
      compareInnodb({ baseline: healthy, after: { ...healthy, rows_read: steady(30000) } }, settings),
    );
    expect(verdict.gate).toBe('innodb');
    expect(verdict.verdict).toBe('pass');
    expect(verdict.evidence).toContain('no controls; 5 judged metric(s) within thresholds');
    expect(verdict.evidence).toContain('no data: row_lock_time, row_lock_current_waits');
  });

  it('fails a server whose fsyncs quadrupled with no controls to explain it', () => {
    const verdict = innodbGate(
      compareInnodb({ baseline: healthy, after: { ...healthy, data_fsyncs: steady(160) } }, settings),
    );
    expect(verdict.verdict).toBe('fail');
    expect(verdict.evidence).toMatch(/^no controls; worse: data_fsyncs 39\.80 -> 159 \(\+300\.0%\)/);
  });

  it('passes the same change when the controls shifted alike, and says so', () => {
    const control = (level: number) => ({ ...healthy, data_fsyncs: steady(level) });
    const verdict = innodbGate(
      compareInnodb(
        {
          baseline: healthy,
          after: control(160),
          controls: [
            { server: 'db-04', baseline: control(20), after: control(81) },
            { server: 'db-05', baseline: control(50), after: control(199) },
          ],
        },
        settings,
      ),
    );
    expect(verdict.verdict).toBe('pass');
    expect(verdict.evidence).toContain('controls db-04, db-05');
    expect(verdict.evidence).toContain('explained by the controls: data_fsyncs');
  });

  it('fails it when the controls stayed flat', () => {
    const flat = { server: 'db-04', baseline: healthy, after: healthy };
    const verdict = innodbGate(
      compareInnodb(
        { baseline: healthy, after: { ...healthy, data_fsyncs: steady(160) }, controls: [flat] },
        settings,
      ),
    );
    expect(verdict.verdict).toBe('fail');
  });

  it('is inconclusive when the worse change is within the server own noise', () => {
    const verdict = innodbGate(
      compareInnodb(
        {
          baseline: { ...healthy, data_fsyncs: [10, 80, 15, 90, 12, 70] },
          after: { ...healthy, data_fsyncs: [95, 20, 85, 18, 90, 75] },
        },
        settings,
      ),
    );
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.evidence).toContain('worse but within noise: data_fsyncs');
  });

  it('is inconclusive when no judged metric has data before and after', () => {
    const verdict = innodbGate(compareInnodb({ baseline: {}, after: { rows_read: steady(1) } }, settings));
    expect(verdict.verdict).toBe('inconclusive');
  });

  it('never fails on an informational metric', () => {
    const verdict = innodbGate(
      compareInnodb({ baseline: healthy, after: { ...healthy, rows_read: steady(1) } }, settings),
    );
    expect(verdict.verdict).toBe('pass');
  });
});
