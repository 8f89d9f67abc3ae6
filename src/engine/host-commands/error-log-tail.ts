import { shellQuote } from '../../model/shell-quote.js';
import type { ErrorLogTail } from '../ports/host-commands.js';

/**
 * Reading what a server's error log gained since a byte offset, in ONE round trip: the clean-
 * shutdown check and the error-log gates both run inside the 503 window, where every extra SSH
 * exchange is time users see. The command prints the log's size on its first line, then the
 * text from the offset (from the start when the log is now shorter: rotated or truncated).
 */
export function errorLogTailCommand(file: string, fromOffset: number, maxBytes: number): string {
  const offset = Math.max(0, Math.trunc(fromOffset));
  const limit = Math.max(1, Math.trunc(maxBytes));
  const quoted = shellQuote(file);
  return [
    `if [ -e ${quoted} ]; then s=$(wc -c < ${quoted}) || exit 1; else s=0; fi`,
    'echo "$s"',
    `if [ "$s" -lt ${offset} ]; then o=1; else o=${offset + 1}; fi`,
    `if [ "$s" -gt 0 ]; then tail -c +"$o" ${quoted} | head -c ${limit}; fi`,
  ].join('; ');
}

/** Parses `errorLogTailCommand`'s output; undefined when it is not that command's output. */
export function parseErrorLogTail(stdout: string, fromOffset: number): ErrorLogTail | undefined {
  const newline = stdout.indexOf('\n');
  const head = (newline === -1 ? stdout : stdout.slice(0, newline)).trim();
  const size = Number(head);
  if (head === '' || !Number.isInteger(size) || size < 0) return undefined;
  const rotated = size < fromOffset;
  return {
    size,
    start: rotated ? 0 : fromOffset,
    rotated,
    text: newline === -1 ? '' : stdout.slice(newline + 1),
  };
}
