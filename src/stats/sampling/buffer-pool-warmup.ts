import type { Clock } from '../../engine/ports/clock.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import { type BufferPoolLoadState, bufferPoolLoadState } from './buffer-pool-load-state.js';
import { variableMap } from './sql-values.js';

export interface WarmupOptions {
  readonly clock: Clock;
  /** campaign stats.warmup: traffic time after the load, before sampling. */
  readonly warmupMs: number;
  /** campaign stats.bufferPoolLoadTimeout: the most to wait for the load itself. */
  readonly loadTimeoutMs: number;
  /** How often to look at the load's progress (default 2s). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/** How the wait went: journaled as StatsRecord.warmup beside the samples it preceded. */
export interface WarmupOutcome {
  /** `not-enabled` (innodb_buffer_pool_load_at_startup off), `timed-out`, or the load's last state. */
  readonly bufferPoolLoad: 'not-enabled' | 'timed-out' | Exclude<BufferPoolLoadState, 'loading'>;
  readonly waitedMs: number;
}

/**
 * Waits until a freshly started server is worth measuring: a restart empties the buffer pool,
 * so rates right after it describe a cold cache, not the new version. First the startup load of
 * the pool (when innodb_buffer_pool_load_at_startup is on) finishes, or its timeout passes; then
 * the warm-up runs under traffic.
 */
export async function waitForWarmup(session: SqlSession, options: WarmupOptions): Promise<WarmupOutcome> {
  const started = options.clock.now();
  const bufferPoolLoad = await waitForBufferPoolLoad(session, options);
  if (options.warmupMs > 0) await options.clock.sleep(options.warmupMs, options.signal);
  return { bufferPoolLoad, waitedMs: options.clock.now() - started };
}

async function waitForBufferPoolLoad(
  session: SqlSession,
  options: WarmupOptions,
): Promise<WarmupOutcome['bufferPoolLoad']> {
  const variables = variableMap(
    await session.query("SHOW GLOBAL VARIABLES LIKE 'innodb_buffer_pool_load_at_startup'"),
  );
  if (variables.get('innodb_buffer_pool_load_at_startup')?.toUpperCase() !== 'ON') return 'not-enabled';
  const deadline = options.clock.now() + options.loadTimeoutMs;
  for (;;) {
    const status = variableMap(
      await session.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_load_status'"),
    ).get('Innodb_buffer_pool_load_status');
    const state = bufferPoolLoadState(status);
    if (state !== 'loading') return state;
    const left = deadline - options.clock.now();
    if (left <= 0) return 'timed-out';
    await options.clock.sleep(Math.min(options.pollMs ?? 2_000, left), options.signal);
  }
}
