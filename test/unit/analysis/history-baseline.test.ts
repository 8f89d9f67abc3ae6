import { describe, expect, it } from 'vitest';
import {
  historyBaseline,
  historyBeside,
  journaledBaseline,
  sameHourWindows,
  type WindowSeries,
} from '../../../src/analysis/history-baseline.js';
import { compareInnodb } from '../../../src/analysis/innodb-comparison.js';
import { innodbGate } from '../../../src/analysis/innodb-gate.js';
import type { StatsRecord } from '../../../src/engine/journal/journal-record.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const baselineAt = Date.parse('2026-11-24T14:00:00Z');
const settings = campaignFields.shape.stats.parse(undefined);

describe('the same-hour windows of the past days', () => {
  it('gives one window a day at the comparison time of day, oldest first, never after the baseline', () => {
    const at = baselineAt + 20 * 60_000;
    const windows = sameHourWindows({ at, baselineAt, days: 7, widthMs: HOUR / 2 });
    expect(windows.map((window) => window.daysAgo)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    for (const window of windows) {
      expect(window.startMs + HOUR / 4).toBe(at - window.daysAgo * DAY);
      expect(window.endMs).toBeLessThanOrEqual(baselineAt);
      expect(window.startMs).toBeGreaterThanOrEqual(baselineAt - 7 * DAY);
    }
  });

  it('holds the same hour of the same weekday when it looks back a week', () => {
    const at = baselineAt + 5 * 60_000;
    const [oldest] = sameHourWindows({ at, baselineAt, days: 7, widthMs: 60_000 });
    const centre = new Date(((oldest?.startMs ?? 0) + (oldest?.endMs ?? 0)) / 2);
    expect(centre.getUTCDay()).toBe(new Date(at).getUTCDay());
    expect(centre.getUTCHours()).toBe(new Date(at).getUTCHours());
  });

  it('goes further back for a soak point a day after the window, skipping the day of the upgrade', () => {
    const at = baselineAt + 24 * HOUR;
    const windows = sameHourWindows({ at, baselineAt, days: 3, widthMs: HOUR });
    expect(windows.map((window) => window.daysAgo)).toEqual([4, 3, 2]);
    expect(windows.every((window) => window.endMs <= baselineAt)).toBe(true);
  });
});

function day(daysAgo: number, values: Record<string, number[]>): WindowSeries {
  return { window: { startMs: 0, endMs: 1, daysAgo }, series: values };
}

describe('the history baseline', () => {
  it('takes every day of a metric with enough history, its swing the furthest day from the whole', () => {
    const built = historyBaseline(
      [
        day(3, { data_fsyncs: [60, 60] }),
        day(2, { data_fsyncs: [100, 100] }),
        day(1, { data_fsyncs: [140, 140] }),
      ],
      { data_fsyncs: [5, 5], row_lock_waits: [0, 0] },
      { minDays: 2, aggregate: 'median' },
    );
    expect(built.series.data_fsyncs).toEqual([60, 60, 100, 100, 140, 140]);
    expect(built.swing).toEqual({ data_fsyncs: 40 });
    // A metric Prometheus does not have keeps the sampled minute, with no swing.
    expect(built.series.row_lock_waits).toEqual([0, 0]);
    expect(built.daysWithData).toBe(3);
  });

  it('keeps the sampled minute of a metric with fewer days than minDays', () => {
    const built = historyBaseline(
      [day(1, { data_fsyncs: [100] })],
      { data_fsyncs: [5] },
      {
        minDays: 2,
        aggregate: 'median',
      },
    );
    expect(built.series.data_fsyncs).toEqual([5]);
    expect(built.swing).toEqual({});
    expect(built.daysWithData).toBe(0);
  });
});

describe('a verdict with the daily swing', () => {
  const history = { data_fsyncs: [60, 62, 100, 98, 140, 138, 90, 110] };
  const quietMinute = { data_fsyncs: [2, 3, 2, 2] };
  const busyNow = { data_fsyncs: [120, 125, 118, 122] };

  it('passes a value inside the normal daily swing that the sampled minute fails', () => {
    const minute = innodbGate(compareInnodb({ baseline: quietMinute, after: busyNow }, settings));
    expect(minute.verdict).toBe('fail');
    const withSwing = compareInnodb(
      { baseline: history, after: busyNow, swing: { data_fsyncs: 40 } },
      settings,
    );
    expect(innodbGate(withSwing).verdict).toBe('pass');
    expect(withSwing.metrics.find((metric) => metric.name === 'data_fsyncs')?.reason).toContain(
      'daily swing ±40',
    );
  });

  it('still fails a regression beyond the swing and the threshold', () => {
    const regression = { data_fsyncs: [400, 410, 395, 405] };
    const comparison = compareInnodb(
      { baseline: history, after: regression, swing: { data_fsyncs: 40 } },
      settings,
    );
    expect(innodbGate(comparison).verdict).toBe('fail');
  });
});

function stats(seq: number, phase: StatsRecord['phase'], extra: Partial<StatsRecord> = {}): StatsRecord {
  return {
    v: 1,
    seq,
    at: '2026-11-24T14:00:00Z',
    campaign: 'c',
    wave: 1,
    kind: 'stats',
    server: 'db1',
    phase,
    intervalMs: 10_000,
    series: { data_fsyncs: [1, 2, 3, 4, 5, 6] },
    ...extra,
  };
}

describe('the journaled baseline', () => {
  const info = { source: 'http://prom:9090', days: 7, daysWithData: 6, swing: { data_fsyncs: 40 } };

  it('is the sampled minute without a history record, and says so', () => {
    const chosen = journaledBaseline(stats(1, 'baseline'), undefined);
    expect(chosen.source).toBe('sampled 1 min before the window');
    expect(chosen.swing).toEqual({});
  });

  it('is the history over the sampled minute when one went with the later sampling', () => {
    const history = stats(4, 'history', {
      series: { data_fsyncs: [100] },
      history: { for: 'recheck', ...info },
    });
    const chosen = journaledBaseline(stats(1, 'baseline'), history);
    expect(chosen.series.data_fsyncs).toEqual([100]);
    expect(chosen.swing).toEqual({ data_fsyncs: 40 });
    expect(chosen.source).toBe(
      'Prometheus http://prom:9090, 7 day(s) at this hour, 6 of 7 day(s) at this hour with data',
    );
  });

  it('names why it fell back to the sampled minute', () => {
    const history = stats(4, 'history', {
      series: {},
      history: { for: 'after', ...info, swing: {}, fellBack: 'unreachable: connection refused' },
    });
    expect(journaledBaseline(stats(1, 'baseline'), history).source).toContain(
      'unreachable: connection refused',
    );
  });

  it('pairs a history record with the later sampling it followed, not with a later one', () => {
    const journal = [
      stats(1, 'baseline'),
      stats(2, 'after'),
      stats(3, 'history', { history: { for: 'after', ...info } }),
      stats(4, 'recheck'),
      stats(5, 'control', { server: 'db2', controlFor: 'db1' }),
      stats(6, 'history', { history: { for: 'recheck', ...info } }),
      stats(7, 'recheck'),
    ];
    expect(historyBeside(journal, journal[1] as StatsRecord)?.seq).toBe(3);
    expect(historyBeside(journal, journal[3] as StatsRecord)?.seq).toBe(6);
    expect(historyBeside(journal, journal[6] as StatsRecord)).toBeUndefined();
  });
});
