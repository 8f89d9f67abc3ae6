import { shellQuote } from '../../model/shell-quote.js';
import type { CommandResult } from '../ports/remote-shell.js';

/**
 * The command that prints the error log's size in bytes: the offset from which the clean-shutdown
 * check and the log gates read what one stop or start wrote. It fails on a missing log, which
 * `parseErrorLogSize` answers as unknown.
 */
export function errorLogSizeCommand(file: string): string {
  return `stat -c %s -- ${shellQuote(file)}`;
}

/**
 * The size `errorLogSizeCommand` printed; undefined when it failed (a missing or unreadable log)
 * or printed no number, and each caller says what an unknown offset means for it.
 */
export function parseErrorLogSize(result: Pick<CommandResult, 'exitCode' | 'stdout'>): number | undefined {
  const size = Number(result.stdout.trim());
  return result.exitCode === 0 && Number.isFinite(size) ? size : undefined;
}
