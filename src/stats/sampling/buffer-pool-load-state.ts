/**
 * Where the startup buffer pool load is, from `Innodb_buffer_pool_load_status`. Only a load in
 * progress is worth waiting for: completed, aborted, failed (no dump file on a first start) or
 * never started all mean the pool warms from traffic alone.
 *
 * Texts seen: `Buffer pool(s) load completed at 261123 14:01:12`, `Loaded 512/4096 pages`,
 * `Loading buffer pool(s) from /var/lib/mysql/ib_buffer_pool`, `Buffer pool(s) load aborted on
 * request`, `Cannot open '/var/lib/mysql/ib_buffer_pool' for reading: No such file or directory`,
 * and the empty string.
 */
export type BufferPoolLoadState = 'loading' | 'completed' | 'aborted' | 'not-started' | 'failed';

export function bufferPoolLoadState(status: string | undefined): BufferPoolLoadState {
  const text = (status ?? '').trim();
  if (text === '' || /not started/i.test(text)) return 'not-started';
  if (/completed/i.test(text)) return 'completed';
  if (/aborted/i.test(text)) return 'aborted';
  if (/^Loaded \d+\/\d+ pages/i.test(text) || /^Loading /i.test(text)) return 'loading';
  return 'failed';
}
