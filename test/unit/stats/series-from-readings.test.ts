import { describe, expect, it } from 'vitest';
import { seriesFromReadings } from '../../../src/stats/compare/series-from-readings.js';
import type { StatusReading } from '../../../src/stats/compare/status-reading.js';

function reading(
  atSeconds: number,
  status: Record<string, number>,
  extra: Partial<Omit<StatusReading, 'atMs' | 'status'>> = {},
): StatusReading {
  return { atMs: atSeconds * 1000, status, innodbMetrics: {}, ...extra };
}

describe('turning readings into interval series', () => {
  it('turns counters into per-second rates over each interval, however long it was', () => {
    const { series } = seriesFromReadings([
      reading(0, { Innodb_buffer_pool_read_requests: 1_000 }),
      reading(10, { Innodb_buffer_pool_read_requests: 2_000 }),
      reading(30, { Innodb_buffer_pool_read_requests: 6_000 }),
    ]);
    expect(series.buffer_pool_read_requests).toEqual([100, 200]);
  });

  it('drops an interval across which a counter went down (a restart), never giving a negative rate', () => {
    const { series } = seriesFromReadings([
      reading(0, { Innodb_data_fsyncs: 500 }),
      reading(10, { Innodb_data_fsyncs: 600 }),
      reading(20, { Innodb_data_fsyncs: 30 }),
      reading(30, { Innodb_data_fsyncs: 80 }),
    ]);
    expect(series.data_fsyncs).toEqual([10, 5]);
  });

  it('drops the interval for every counter when Uptime went down, even one that happens to have grown', () => {
    const { series, droppedIntervals } = seriesFromReadings([
      reading(
        0,
        { Uptime: 1000, Innodb_rows_read: 100, Innodb_buffer_pool_pages_dirty: 50 },
        { uptimeSeconds: 1000 },
      ),
      reading(
        10,
        { Uptime: 4, Innodb_rows_read: 200, Innodb_buffer_pool_pages_dirty: 7 },
        { uptimeSeconds: 4 },
      ),
      reading(
        20,
        { Uptime: 14, Innodb_rows_read: 300, Innodb_buffer_pool_pages_dirty: 9 },
        { uptimeSeconds: 14 },
      ),
    ]);
    expect(series.rows_read).toEqual([10]);
    expect(droppedIntervals).toBe(1);
    // Gauges are levels: a restart does not make them wrong.
    expect(series.buffer_pool_pages_dirty).toEqual([7, 9]);
  });

  it('keeps gauges as the reading at the end of each interval', () => {
    const { series } = seriesFromReadings([
      reading(0, { Innodb_buffer_pool_pages_dirty: 10, Innodb_history_list_length: 5 }),
      reading(10, { Innodb_buffer_pool_pages_dirty: 40, Innodb_history_list_length: 3 }),
      reading(20, { Innodb_buffer_pool_pages_dirty: 20, Innodb_history_list_length: 8 }),
    ]);
    expect(series.buffer_pool_pages_dirty).toEqual([40, 20]);
    expect(series.history_list_length).toEqual([3, 8]);
  });

  it('derives the hit ratio per interval, with no value for an interval without read requests', () => {
    const { series } = seriesFromReadings([
      reading(0, { Innodb_buffer_pool_read_requests: 0, Innodb_buffer_pool_reads: 0 }),
      reading(10, { Innodb_buffer_pool_read_requests: 1000, Innodb_buffer_pool_reads: 10 }),
      reading(20, { Innodb_buffer_pool_read_requests: 1000, Innodb_buffer_pool_reads: 10 }),
      reading(30, { Innodb_buffer_pool_read_requests: 3000, Innodb_buffer_pool_reads: 110 }),
    ]);
    expect(series.buffer_pool_hit_ratio).toEqual([0.99, 0.95]);
  });

  it('reads rows from Rows_read and the handler counters on MariaDB, which has no Innodb_rows_*', () => {
    const { series } = seriesFromReadings([
      reading(0, { Rows_read: 0, Handler_write: 0, Handler_update: 0, Handler_delete: 0 }),
      reading(10, { Rows_read: 500, Handler_write: 40, Handler_update: 30, Handler_delete: 20 }),
    ]);
    expect(series.rows_read).toEqual([50]);
    expect(series.rows_inserted).toEqual([4]);
    expect(series.rows_updated).toEqual([3]);
    expect(series.rows_deleted).toEqual([2]);
  });

  it('prefers INNODB_METRICS for the history list length, and falls back to SHOW ENGINE INNODB STATUS', () => {
    const fromMetrics = seriesFromReadings([
      reading(0, {}, { innodbMetrics: { trx_rseg_history_len: { count: 12, type: 'value' } } }),
      reading(10, {}, { innodbMetrics: { trx_rseg_history_len: { count: 15, type: 'value' } } }),
    ]);
    expect(fromMetrics.series.history_list_length).toEqual([15]);
    const fromEngine = seriesFromReadings([
      reading(0, {}, { engineHistoryListLength: 7 }),
      reading(10, {}, { engineHistoryListLength: 9 }),
    ]);
    expect(fromEngine.series.history_list_length).toEqual([9]);
  });

  it('keeps raw Innodb_* and enabled INNODB_METRICS series, but not set owners that only sum their members', () => {
    const metrics = (count: number) => ({
      os_pending_reads: { count, type: 'counter' },
      lock_deadlocks: { count: 10 - count, type: 'value' },
      module_dml: { count, type: 'set_owner' },
    });
    const { series } = seriesFromReadings([
      reading(0, { Innodb_deadlocks: 1, Innodb_data_pending_reads: 3 }, { innodbMetrics: metrics(5) }),
      reading(10, { Innodb_deadlocks: 21, Innodb_data_pending_reads: 1 }, { innodbMetrics: metrics(4) }),
    ]);
    expect(series.Innodb_deadlocks).toEqual([2]);
    expect(series.Innodb_data_pending_reads).toEqual([1]);
    // MariaDB calls os_pending_reads a counter and lock_deadlocks a value: names decide.
    expect(series['innodb_metrics.os_pending_reads']).toEqual([4]);
    expect(series['innodb_metrics.lock_deadlocks']).toEqual([0.1]);
    expect(series['innodb_metrics.module_dml']).toBeUndefined();
    expect(
      seriesFromReadings([reading(0, { Innodb_deadlocks: 1 }), reading(1, { Innodb_deadlocks: 1 })], {
        includeRaw: false,
      }).series.Innodb_deadlocks,
    ).toBeUndefined();
  });

  it('leaves out catalog metrics the server does not have at all', () => {
    const { series } = seriesFromReadings([reading(0, { Questions: 1 }), reading(10, { Questions: 11 })]);
    expect(series.queries).toEqual([1]);
    expect(series.buffer_pool_reads).toBeUndefined();
  });
});
