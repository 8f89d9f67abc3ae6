import { describe, expect, it } from 'vitest';
import type { SqlRow } from '../../../src/engine/ports/sql-session.js';
import { bufferPoolLoadState } from '../../../src/stats/sampling/buffer-pool-load-state.js';
import { waitForWarmup } from '../../../src/stats/sampling/buffer-pool-warmup.js';
import { sampleInnodb, sampleWithControls } from '../../../src/stats/sampling/innodb-sampler.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { FakeSqlSession, statusRows } from './fake-ports.js';

/** A MariaDB-like server whose counters grow with the fake clock: 50 read requests a second... */
function mariadb(clock: FakeClock, options: { innodbMetrics?: boolean } = {}) {
  const started = clock.now();
  return new FakeSqlSession((sql): SqlRow[] => {
    const seconds = (clock.now() - started) / 1000;
    if (sql.startsWith('SHOW GLOBAL STATUS WHERE')) {
      return statusRows({
        Uptime: 1000 + Math.floor(seconds),
        Innodb_buffer_pool_read_requests: 50 * seconds,
        Innodb_buffer_pool_reads: 5 * seconds,
        Innodb_buffer_pool_pages_dirty: 42,
        Innodb_buffer_pool_load_status: 'Buffer pool(s) load completed at 261123 14:01:12',
        Innodb_have_punch_hole: 'ON',
        Rows_read: 200 * seconds,
        Questions: 10 * seconds,
      });
    }
    if (sql.includes('INNODB_METRICS')) {
      if (options.innodbMetrics === false) throw new Error("Unknown table 'INNODB_METRICS'");
      return [
        { NAME: 'trx_rseg_history_len', COUNT: 17, TYPE: 'value', ENABLED: 1 },
        { NAME: 'lock_row_lock_waits', COUNT: 3, TYPE: 'status_counter', ENABLED: 1 },
        { NAME: 'dml_reads', COUNT: 99, TYPE: 'set_member', ENABLED: 0 },
      ];
    }
    if (sql === 'SHOW ENGINE INNODB STATUS') {
      return [{ Type: 'InnoDB', Name: '', Status: '------------\nTRANSACTIONS\nHistory list length 23\n' }];
    }
    throw new Error(`unexpected statement: ${sql}`);
  });
}

describe('sampling a server', () => {
  it('takes samples + 1 readings an interval apart and returns one value per interval', async () => {
    const clock = new FakeClock();
    const session = mariadb(clock);
    const sampling = await sampleInnodb(session, { clock, samples: 6, intervalMs: 10_000 });
    expect(sampling.intervalMs).toBe(10_000);
    expect(sampling.droppedIntervals).toBe(0);
    expect(sampling.series.buffer_pool_read_requests).toEqual([50, 50, 50, 50, 50, 50]);
    expect(sampling.series.buffer_pool_hit_ratio).toEqual([0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    expect(sampling.series.rows_read).toEqual([200, 200, 200, 200, 200, 200]);
    expect(sampling.series.history_list_length).toEqual([17, 17, 17, 17, 17, 17]);
    expect(sampling.series.buffer_pool_pages_dirty).toEqual([42, 42, 42, 42, 42, 42]);
    expect(sampling.series['innodb_metrics.dml_reads']).toBeUndefined();
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('aims each sleep at the next slot, so slow queries do not stretch the sampling', async () => {
    const clock = new FakeClock();
    const inner = mariadb(clock);
    const slow = new FakeSqlSession(async (sql) => {
      clock.advance(1_500);
      return inner.query(sql);
    });
    const sampling = await sampleInnodb(slow, { clock, samples: 3, intervalMs: 10_000 });
    // Each reading takes 3 s (two statements): the sleeps after the first make up for it.
    expect(clock.sleeps).toEqual([10_000, 7_000, 7_000]);
    expect(sampling.series.buffer_pool_read_requests).toEqual([50, 50, 50]);
  });

  it('reads the history list length from SHOW ENGINE INNODB STATUS on a server without INNODB_METRICS, and asks for the table once', async () => {
    const clock = new FakeClock();
    const session = mariadb(clock, { innodbMetrics: false });
    const sampling = await sampleInnodb(session, { clock, samples: 2, intervalMs: 1_000 });
    expect(sampling.series.history_list_length).toEqual([23, 23]);
    expect(session.statements.filter((sql) => sql.includes('INNODB_METRICS'))).toHaveLength(1);
  });

  it('samples controls beside the server, and a control that fails only drops out', async () => {
    const clock = new FakeClock();
    const broken = new FakeSqlSession(() => {
      throw new Error('connection lost');
    });
    const result = await sampleWithControls(
      mariadb(clock),
      [
        { server: 'db-02', session: mariadb(clock) },
        { server: 'db-03', session: broken },
      ],
      { clock, samples: 2, intervalMs: 1_000 },
    );
    expect(result.target.series.queries).toHaveLength(2);
    expect(result.controls[0]).toMatchObject({ server: 'db-02' });
    expect('sampling' in (result.controls[0] ?? {})).toBe(true);
    expect(result.controls[1]).toMatchObject({ server: 'db-03', error: expect.any(Error) });
  });
});

describe('waiting for the buffer pool to warm up', () => {
  function loadingServer(clock: FakeClock, loadAtStartup: string, loadedAfterMs: number) {
    const started = clock.now();
    return new FakeSqlSession((sql) => {
      if (sql.includes('innodb_buffer_pool_load_at_startup')) {
        return statusRows({ innodb_buffer_pool_load_at_startup: loadAtStartup });
      }
      const done = clock.now() - started >= loadedAfterMs;
      return statusRows({
        Innodb_buffer_pool_load_status: done
          ? 'Buffer pool(s) load completed at 261123 14:01:12'
          : 'Loaded 512/4096 pages',
      });
    });
  }

  it('waits for the startup load to finish, then for the warm-up', async () => {
    const clock = new FakeClock();
    const outcome = await waitForWarmup(loadingServer(clock, 'ON', 5_000), {
      clock,
      warmupMs: 60_000,
      loadTimeoutMs: 600_000,
      pollMs: 2_000,
    });
    expect(outcome).toEqual({ bufferPoolLoad: 'completed', waitedMs: 66_000 });
  });

  it('does not wait for a load that is not enabled', async () => {
    const clock = new FakeClock();
    const outcome = await waitForWarmup(loadingServer(clock, 'OFF', 1e9), {
      clock,
      warmupMs: 1_000,
      loadTimeoutMs: 10_000,
    });
    expect(outcome).toEqual({ bufferPoolLoad: 'not-enabled', waitedMs: 1_000 });
  });

  it('gives up on a load that outlasts its timeout and says so', async () => {
    const clock = new FakeClock();
    const outcome = await waitForWarmup(loadingServer(clock, 'ON', 1e9), {
      clock,
      warmupMs: 0,
      loadTimeoutMs: 5_000,
      pollMs: 2_000,
    });
    expect(outcome).toEqual({ bufferPoolLoad: 'timed-out', waitedMs: 5_000 });
  });

  it.each([
    ['Buffer pool(s) load completed at 261123 14:01:12', 'completed'],
    ['Loaded 512/4096 pages', 'loading'],
    ['Loading buffer pool(s) from /var/lib/mysql/ib_buffer_pool', 'loading'],
    ['Buffer pool(s) load aborted on request', 'aborted'],
    ["Cannot open '/var/lib/mysql/ib_buffer_pool' for reading: No such file or directory", 'failed'],
    ['', 'not-started'],
  ])('reads %j as %s', (text, state) => {
    expect(bufferPoolLoadState(text)).toBe(state);
  });
});
