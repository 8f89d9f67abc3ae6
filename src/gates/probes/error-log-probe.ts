import { posix } from 'node:path';
import { errorLogTailCommand, parseErrorLogTail } from '../../engine/host-commands/error-log-tail.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import { column, textValue } from '../../stats/sampling/sql-values.js';
import type { ErrorLogExcerpt } from '../error-log-gate.js';

export interface ErrorLogReadOptions {
  /** Per command (default 10s). */
  readonly timeoutMs?: number;
  /** Read at most this much past the offset (default 1 MiB): a log that floods is judged by its start. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1_048_576;

/**
 * Where the server writes its error log: the inventory's `errorLog` when set, else the
 * server's own @@log_error (relative to its datadir, as MariaDB's default `./host.err` is).
 * undefined when it logs to stderr or syslog, which dbwave cannot read back.
 */
export async function resolveErrorLogPath(
  session: SqlSession,
  configured?: string,
): Promise<string | undefined> {
  if (configured !== undefined && configured !== '') return configured;
  const [row] = await session.query('SELECT @@global.log_error AS log_error, @@global.datadir AS datadir');
  if (row === undefined) return undefined;
  const logError = textValue(column(row, 'log_error'));
  const dataDir = textValue(column(row, 'datadir'));
  if (logError === '' || logError === 'NULL' || logError === 'stderr') return undefined;
  return posix.isAbsolute(logError) ? logError : posix.join(dataDir, logError);
}

/**
 * The lines the error log gained since `fromOffset` (`tail -c +OFFSET+1`), at most `maxBytes`
 * of them. A log now shorter than the offset was rotated or truncated: it is read from its
 * start. Failures come back as an unreadable excerpt (the gate makes that inconclusive).
 */
export async function readErrorLogSince(
  shell: RemoteShell,
  file: string,
  fromOffset: number,
  options: ErrorLogReadOptions = {},
): Promise<ErrorLogExcerpt> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    const result = await shell.exec(errorLogTailCommand(file, fromOffset, maxBytes), execOptions(options));
    const tail = result.exitCode === 0 ? parseErrorLogTail(result.stdout, fromOffset) : undefined;
    if (tail === undefined) {
      return { readable: false, file, error: result.stderr.trim() || `exit ${result.exitCode}` };
    }
    const lines = tail.text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return {
      readable: true,
      file,
      fromOffset: tail.start,
      lines,
      ...(tail.size - tail.start > maxBytes ? { truncated: true } : {}),
      ...(tail.rotated ? { rotated: true } : {}),
    };
  } catch (error) {
    return { readable: false, file, error: error instanceof Error ? error.message : String(error) };
  }
}

function execOptions(options: ErrorLogReadOptions): { timeoutMs: number; signal?: AbortSignal } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return options.signal === undefined ? { timeoutMs } : { timeoutMs, signal: options.signal };
}
