import { describe, expect, it } from 'vitest';
import {
  exporterQueries,
  exporterSelector,
  labelledUnion,
} from '../../../src/adapters/prometheus/exporter-queries.js';
import { HISTORY_METRICS } from '../../../src/analysis/history-baseline.js';

describe("mysqld_exporter's series for a status variable", () => {
  it('names plain variables mysql_global_status_<lower case>', () => {
    expect(exporterSelector('Innodb_data_fsyncs', 'server="db1"')).toBe(
      'mysql_global_status_innodb_data_fsyncs{server="db1"}',
    );
  });

  it('puts the exporter families under one series with a label', () => {
    expect(exporterSelector('Innodb_buffer_pool_pages_dirty', '')).toBe(
      'mysql_global_status_buffer_pool_pages{state="dirty"}',
    );
    expect(exporterSelector('Innodb_rows_read', 'a="b"')).toBe(
      'mysql_global_status_innodb_row_ops_total{a="b",operation="read"}',
    );
    expect(exporterSelector('Handler_write', '')).toBe('mysql_global_status_handlers_total{handler="write"}');
  });
});

describe('the history queries', () => {
  it('picks the server by every mapped label, each value one PromQL string whatever it holds', () => {
    const queries = exporterQueries(HISTORY_METRICS, { server: 'db"1\\', dc: 'phx' }, '240s');
    const fsyncs = queries.find((query) => query.metric === 'data_fsyncs');
    expect(fsyncs?.expression).toBe(
      'sum(rate(mysql_global_status_innodb_data_fsyncs{server="db\\"1\\\\",dc="phx"}[240s]))',
    );
  });

  it('tries a metric’s status variables in order and derives the hit ratio', () => {
    const queries = exporterQueries(HISTORY_METRICS, { instance: 'h:9104' }, '4m');
    expect(queries.find((query) => query.metric === 'rows_read')?.expression).toContain(' or ');
    expect(queries.find((query) => query.metric === 'buffer_pool_hit_ratio')?.expression).toMatch(
      /^clamp\(1 - /,
    );
    expect(labelledUnion(queries)).toContain('label_replace(');
    expect(labelledUnion(queries)).toContain('"dbwave_metric", "data_fsyncs"');
  });
});
