import type { SqlRow } from '../../../src/engine/ports/sql-session.js';
import type { FakeClock } from '../engine/fakes/fake-clock.js';
import { FakeSqlSession, statusRows } from './fake-ports.js';

export interface FakeMariadbOptions {
  readonly version?: string;
  /** Physical page reads per second (the rest of the load is fixed). */
  readonly readsPerSecond?: number;
  readonly smokeValue?: number;
}

/** A MariaDB 10.11 that answers what the sampler and the gates ask, its counters growing with the clock. */
export function fakeMariadb(clock: FakeClock, options: FakeMariadbOptions = {}): FakeSqlSession {
  const started = clock.now();
  return new FakeSqlSession((sql): SqlRow[] => {
    const seconds = (clock.now() - started) / 1000;
    // A little wobble so that the rank tests have no all-tied samples.
    const wobble = Math.sin(seconds) * 0.5;
    if (sql.startsWith('SHOW GLOBAL STATUS WHERE')) {
      return statusRows({
        Uptime: 5000 + Math.floor(seconds),
        Innodb_buffer_pool_read_requests: 5000 * seconds + wobble,
        Innodb_buffer_pool_reads: (options.readsPerSecond ?? 20) * seconds + wobble,
        Innodb_buffer_pool_pages_dirty: 300,
        Innodb_buffer_pool_pages_data: 4000,
        Innodb_data_fsyncs: 40 * seconds + wobble,
        Innodb_log_writes: 30 * seconds,
        Innodb_os_log_written: 90_000 * seconds,
        Innodb_row_lock_waits: 2 * seconds + wobble,
        Innodb_row_lock_time: 5 * seconds + wobble,
        Innodb_row_lock_current_waits: 0,
        Innodb_history_list_length: 120,
        Rows_read: 9000 * seconds,
        Handler_write: 300 * seconds,
        Handler_update: 200 * seconds,
        Handler_delete: 100 * seconds,
        Questions: 700 * seconds,
      });
    }
    if (sql.includes('INNODB_METRICS')) return [];
    if (sql.includes('innodb_buffer_pool_load_at_startup'))
      return statusRows({ innodb_buffer_pool_load_at_startup: 'ON' });
    if (sql.includes('Innodb_buffer_pool_load_status')) {
      return statusRows({
        Innodb_buffer_pool_load_status: 'Buffer pool(s) load completed at 261123 14:01:12',
      });
    }
    if (sql === 'SELECT 1') return [{ 1: 1 }];
    if (sql.startsWith('SELECT VERSION()'))
      return [{ version: `${options.version ?? '10.11.19'}-MariaDB-0+deb12u1` }];
    if (sql === 'SHOW ALL SLAVES STATUS') return [];
    if (sql.startsWith('SELECT COUNT(*)')) return [{ n: options.smokeValue ?? 10000 }];
    throw new Error(`unexpected statement: ${sql}`);
  });
}
