/**
 * The InnoDB metrics dbwave samples, what kind each is and which of them judge an upgrade.
 *
 * Kind: a `counter` only grows while the server runs (and starts again from 0 at a restart), so
 * it is turned into a per-second rate over each sample interval; a `gauge` is a level (pages
 * dirty, history list length) and is kept as the reading at the end of each interval.
 *
 * Direction: which way a change is bad. Judged metrics say how well the server does the work it
 * is given (misses per request, lock waits, purge lag, fsyncs). `informational` metrics measure
 * the work itself (rows read, log writes): traffic decides those, not the upgrade, so they are
 * reported with their change but always get the verdict `ok`, unless the campaign gives them a
 * direction in `stats.thresholds.<name>.direction`.
 */

export type MetricKind = 'counter' | 'gauge';

export type MetricDirection = 'higher-is-worse' | 'lower-is-worse' | 'informational';

/** Where one catalog metric is read from; the first source a server has wins. */
export type MetricSource =
  | { readonly status: string }
  | { readonly innodbMetric: string }
  /** Parsed out of SHOW ENGINE INNODB STATUS (servers without INNODB_METRICS, e.g. MySQL 5.1). */
  | { readonly engineStatus: 'history-list-length' }
  /** Computed from other catalog metrics' per-interval values (see series-from-readings.ts). */
  | { readonly derived: 'hit-ratio' };

export interface MetricThresholdDefault {
  readonly relative: number;
  readonly floor: number;
}

export interface CatalogMetric {
  /** Series name in a StatsRecord and in reports. */
  readonly name: string;
  readonly kind: MetricKind;
  readonly direction: MetricDirection;
  readonly sources: readonly MetricSource[];
  readonly description: string;
  /**
   * A default threshold for metrics whose units differ from per-second rates (ratios): the
   * campaign's global `stats.threshold` would never flag them. `stats.thresholds.<name>` wins.
   */
  readonly threshold?: MetricThresholdDefault;
}

/**
 * The metrics every comparison covers, in report order. Sources list MySQL's name first, then
 * the places newer servers moved it to: MariaDB 10.6+ no longer has `Innodb_rows_*`, so rows
 * come from `Rows_read` and the handler counters there. A deliberate table: its entries are
 * alike in shape by design, one per metric.
 */
export const METRIC_CATALOG: readonly CatalogMetric[] = [
  {
    name: 'buffer_pool_read_requests',
    kind: 'counter',
    direction: 'informational',
    sources: [{ status: 'Innodb_buffer_pool_read_requests' }, { innodbMetric: 'buffer_pool_read_requests' }],
    description: 'logical page reads per second (workload)',
  },
  {
    name: 'buffer_pool_reads',
    kind: 'counter',
    direction: 'higher-is-worse',
    sources: [{ status: 'Innodb_buffer_pool_reads' }, { innodbMetric: 'buffer_pool_reads' }],
    description: 'page reads that missed the buffer pool and went to disk, per second',
    // A restarted server's buffer pool is cold: a few more disk reads per second for a while is
    // the restart, not the upgrade. Tens per second is noise on any server worth upgrading.
    threshold: { relative: 0.5, floor: 20 },
  },
  {
    name: 'buffer_pool_hit_ratio',
    kind: 'gauge',
    direction: 'lower-is-worse',
    sources: [{ derived: 'hit-ratio' }],
    description: 'share of page reads served from the buffer pool, 1 - reads / read requests',
    threshold: { relative: 0.01, floor: 0.005 },
  },
  {
    name: 'buffer_pool_pages_dirty',
    kind: 'gauge',
    direction: 'informational',
    sources: [{ status: 'Innodb_buffer_pool_pages_dirty' }, { innodbMetric: 'buffer_pool_pages_dirty' }],
    description: 'modified pages not yet flushed (what the next clean shutdown must write)',
  },
  {
    name: 'buffer_pool_pages_data',
    kind: 'gauge',
    direction: 'informational',
    sources: [{ status: 'Innodb_buffer_pool_pages_data' }, { innodbMetric: 'buffer_pool_pages_data' }],
    description: 'pages holding data (how warm the buffer pool is)',
  },
  {
    name: 'buffer_pool_pages_free',
    kind: 'gauge',
    direction: 'informational',
    sources: [{ status: 'Innodb_buffer_pool_pages_free' }, { innodbMetric: 'buffer_pool_pages_free' }],
    description: 'free pages in the buffer pool',
  },
  {
    name: 'rows_read',
    kind: 'counter',
    direction: 'informational',
    sources: [{ status: 'Innodb_rows_read' }, { status: 'Rows_read' }, { innodbMetric: 'dml_reads' }],
    description: 'rows read per second (workload)',
  },
  {
    name: 'rows_inserted',
    kind: 'counter',
    direction: 'informational',
    sources: [
      { status: 'Innodb_rows_inserted' },
      { innodbMetric: 'dml_inserts' },
      { status: 'Handler_write' },
    ],
    description: 'rows inserted per second (workload)',
  },
  {
    name: 'rows_updated',
    kind: 'counter',
    direction: 'informational',
    sources: [
      { status: 'Innodb_rows_updated' },
      { innodbMetric: 'dml_updates' },
      { status: 'Handler_update' },
    ],
    description: 'rows updated per second (workload)',
  },
  {
    name: 'rows_deleted',
    kind: 'counter',
    direction: 'informational',
    sources: [
      { status: 'Innodb_rows_deleted' },
      { innodbMetric: 'dml_deletes' },
      { status: 'Handler_delete' },
    ],
    description: 'rows deleted per second (workload)',
  },
  {
    name: 'log_writes',
    kind: 'counter',
    direction: 'informational',
    sources: [{ status: 'Innodb_log_writes' }, { innodbMetric: 'log_writes' }],
    description: 'redo log write operations per second (follows the write workload)',
  },
  {
    name: 'os_log_written',
    kind: 'counter',
    direction: 'informational',
    sources: [{ status: 'Innodb_os_log_written' }, { innodbMetric: 'os_log_bytes_written' }],
    description: 'redo log bytes written per second (follows the write workload)',
  },
  {
    name: 'data_fsyncs',
    kind: 'counter',
    direction: 'higher-is-worse',
    sources: [{ status: 'Innodb_data_fsyncs' }, { innodbMetric: 'os_data_fsyncs' }],
    description: 'fsync() calls per second (flushing behaviour: a changed default shows here)',
  },
  {
    name: 'row_lock_waits',
    kind: 'counter',
    direction: 'higher-is-worse',
    sources: [{ status: 'Innodb_row_lock_waits' }, { innodbMetric: 'lock_row_lock_waits' }],
    description: 'row lock waits per second',
  },
  {
    name: 'row_lock_time',
    kind: 'counter',
    direction: 'higher-is-worse',
    sources: [{ status: 'Innodb_row_lock_time' }, { innodbMetric: 'lock_row_lock_time' }],
    description: 'milliseconds spent waiting for row locks, per second',
  },
  {
    name: 'row_lock_current_waits',
    kind: 'gauge',
    direction: 'higher-is-worse',
    sources: [{ status: 'Innodb_row_lock_current_waits' }, { innodbMetric: 'lock_row_lock_current_waits' }],
    description: 'row lock waits in progress',
  },
  {
    name: 'history_list_length',
    kind: 'gauge',
    direction: 'higher-is-worse',
    sources: [
      { innodbMetric: 'trx_rseg_history_len' },
      { status: 'Innodb_history_list_length' },
      { engineStatus: 'history-list-length' },
    ],
    description: 'undo records purge has not caught up with (purge lag)',
    // Under ordinary traffic it swings by tens to hundreds between readings: only a purge that
    // falls behind by thousands is worth a rollback.
    threshold: { relative: 0.5, floor: 1000 },
  },
  {
    name: 'queries',
    kind: 'counter',
    direction: 'informational',
    sources: [{ status: 'Questions' }],
    description: 'statements from clients per second (workload)',
  },
  {
    name: 'threads_running',
    kind: 'gauge',
    direction: 'informational',
    sources: [{ status: 'Threads_running' }],
    description: 'threads executing a statement',
  },
];

const CATALOG_BY_NAME = new Map(METRIC_CATALOG.map((metric) => [metric.name, metric]));

export function catalogMetric(name: string): CatalogMetric | undefined {
  return CATALOG_BY_NAME.get(name);
}

/**
 * Status variables that are levels, not running totals. Exact names first, then name patterns:
 * anything current, pending, average, maximum, sized or aged is a gauge.
 */
const GAUGE_STATUS_NAMES = new Set([
  'Innodb_buffer_pool_pages_data',
  'Innodb_buffer_pool_bytes_data',
  'Innodb_buffer_pool_pages_dirty',
  'Innodb_buffer_pool_bytes_dirty',
  'Innodb_buffer_pool_pages_free',
  'Innodb_buffer_pool_pages_misc',
  'Innodb_buffer_pool_pages_old',
  'Innodb_buffer_pool_pages_total',
  'Innodb_buffer_pool_pages_latched',
  'Innodb_history_list_length',
  'Innodb_num_open_files',
  'Innodb_page_size',
  'Innodb_available_undo_logs',
  'Innodb_ibuf_free_list',
  'Innodb_ibuf_segment_size',
  'Innodb_ibuf_size',
  'Innodb_mem_adaptive_hash',
  'Innodb_mem_dictionary',
  'Innodb_mem_total',
  'Innodb_max_trx_id',
  'Innodb_oldest_view_low_limit_trx_id',
  'Innodb_purge_trx_id',
  'Innodb_purge_undo_no',
  'Innodb_lsn_current',
  'Innodb_lsn_flushed',
  'Innodb_lsn_last_checkpoint',
  'Innodb_onlineddl_pct_progress',
  'Innodb_onlineddl_rowlog_pct_used',
  'Innodb_encryption_rotation_estimated_iops',
  'Threads_running',
  'Threads_connected',
  'Uptime',
]);

const GAUGE_NAME_PATTERN = /(current|pending|_avg|_max|_size|_age|_pct|_len|_total$|_status)/i;

/** Counter or gauge, for a SHOW GLOBAL STATUS variable. */
export function statusVariableKind(name: string): MetricKind {
  if (GAUGE_STATUS_NAMES.has(name)) return 'gauge';
  return GAUGE_NAME_PATTERN.test(name) ? 'gauge' : 'counter';
}

/**
 * INNODB_METRICS has a TYPE column, but it is not to be trusted on its own: MariaDB reports
 * `os_pending_reads` as a `counter` and `lock_deadlocks` as a `value`. Names decide first.
 */
const GAUGE_INNODB_METRICS = new Set([
  'buffer_pool_size',
  'buffer_pool_pages_total',
  'buffer_pool_pages_misc',
  'buffer_pool_pages_data',
  'buffer_pool_bytes_data',
  'buffer_pool_pages_dirty',
  'buffer_pool_bytes_dirty',
  'buffer_pool_pages_free',
  'trx_rseg_history_len',
  'trx_rseg_current_size',
  'trx_undo_slots_used',
  'trx_undo_slots_cached',
  'file_num_open_files',
  'ibuf_size',
  'innodb_page_size',
  'lock_row_lock_current_waits',
  'lock_row_lock_time_max',
  'lock_row_lock_time_avg',
  'lock_rec_locks',
  'lock_table_locks',
  'os_pending_reads',
  'os_pending_writes',
  'log_lsn_checkpoint_age',
  'log_lsn_current',
  'log_lsn_last_flush',
  'log_lsn_last_checkpoint',
  'log_lsn_buf_pool_oldest',
  'log_max_modified_age_async',
  'purge_dml_delay_usec',
]);

const COUNTER_INNODB_METRICS = new Set(['lock_deadlocks', 'lock_timeouts', 'log_checkpoints']);

/**
 * Counter or gauge for an INNODB_METRICS row; undefined for a `set_owner` row, which only sums
 * its members (sampling it would count the same events twice).
 */
export function innodbMetricKind(name: string, type: string): MetricKind | undefined {
  if (GAUGE_INNODB_METRICS.has(name)) return 'gauge';
  if (COUNTER_INNODB_METRICS.has(name)) return 'counter';
  switch (type) {
    case 'value':
      return 'gauge';
    case 'set_owner':
      return undefined;
    default:
      return GAUGE_NAME_PATTERN.test(name) ? 'gauge' : 'counter';
  }
}
