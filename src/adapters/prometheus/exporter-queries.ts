import type { HistoryMetric } from '../../engine/ports/metric-history.js';

/** One catalog metric as a PromQL expression over mysqld_exporter's series. */
export interface ExporterQuery {
  /** The metric's name in the stats records (buffer_pool_reads, ...). */
  readonly metric: string;
  readonly expression: string;
}

/**
 * Each series carries its metric's name in the `dbwave_metric` label (labelledUnion), so that one
 * query answers for every metric.
 */

/**
 * mysqld_exporter's name for a SHOW GLOBAL STATUS variable (its collector/global_status.go):
 * a few families become one series with a label, every other variable
 * `mysql_global_status_<lower-case name>`.
 */
export function exporterSelector(statusVariable: string, matchers: string): string {
  const name = statusVariable.toLowerCase();
  const family = (series: string, label: string, value: string): string =>
    `mysql_global_status_${series}{${[matchers, `${label}=${quote(value)}`].filter(Boolean).join(',')}}`;
  const pages = /^innodb_buffer_pool_pages_(.+)$/.exec(name);
  if (pages?.[1] !== undefined) {
    const state = pages[1];
    return ['data', 'dirty', 'free', 'misc', 'old', 'total'].includes(state)
      ? family('buffer_pool_pages', 'state', state)
      : family('buffer_pool_page_changes_total', 'operation', state);
  }
  const rows = /^innodb_rows_(.+)$/.exec(name);
  if (rows?.[1] !== undefined) return family('innodb_row_ops_total', 'operation', rows[1]);
  const handler = /^handler_(.+)$/.exec(name);
  if (handler?.[1] !== undefined) return family('handlers_total', 'handler', handler[1]);
  const command = /^com_(.+)$/.exec(name);
  if (command?.[1] !== undefined) return family('commands_total', 'command', command[1]);
  return `mysql_global_status_${name}{${matchers}}`;
}

/**
 * The metrics as PromQL over mysqld_exporter's series: a counter is its rate over `rateRange`
 * (4 steps: a rate needs two scrapes inside its range), a gauge its value, a hit ratio
 * 1 - misses / requests. A metric with several status variables tries them in order (`or`):
 * MariaDB 10.6+ has Rows_read where MySQL has Innodb_rows_read. Pure.
 */
export function exporterQueries(
  metrics: readonly HistoryMetric[],
  labels: Readonly<Record<string, string>>,
  rateRange: string,
): ExporterQuery[] {
  const matchers = Object.entries(labels)
    .map(([name, value]) => `${name}=${quote(value)}`)
    .join(',');
  const rateOf = (status: string) => `sum(rate(${exporterSelector(status, matchers)}[${rateRange}]))`;
  return metrics.map((metric) => {
    if ('hitRatio' in metric) {
      const { misses, requests } = metric.hitRatio;
      return { metric: metric.name, expression: `clamp(1 - ${rateOf(misses)} / ${rateOf(requests)}, 0, 1)` };
    }
    const expression = metric.statuses
      .map((status) =>
        metric.kind === 'counter' ? rateOf(status) : `sum(${exporterSelector(status, matchers)})`,
      )
      .join(' or ');
    return { metric: metric.name, expression };
  });
}

/** Every query in one: each metric labelled `dbwave_metric`, joined with `or`. */
export function labelledUnion(queries: readonly ExporterQuery[]): string {
  return queries
    .map((query) => `label_replace(${query.expression}, "dbwave_metric", ${quote(query.metric)}, "", "")`)
    .join(' or ');
}

/** A PromQL string literal: whatever a label template renders stays one string. */
function quote(value: string): string {
  return JSON.stringify(value);
}
