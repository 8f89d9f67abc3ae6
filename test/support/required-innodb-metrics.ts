/**
 * The InnoDB metrics issue 5 names: the catalog must hold them, and every comparison on the
 * fleet must come back with real numbers for them.
 */
export const REQUIRED_INNODB_METRICS = [
  'buffer_pool_read_requests',
  'buffer_pool_reads',
  'buffer_pool_hit_ratio',
  'buffer_pool_pages_dirty',
  'buffer_pool_pages_data',
  'rows_read',
  'rows_inserted',
  'rows_updated',
  'rows_deleted',
  'log_writes',
  'os_log_written',
  'data_fsyncs',
  'row_lock_waits',
  'row_lock_time',
  'history_list_length',
] as const;
