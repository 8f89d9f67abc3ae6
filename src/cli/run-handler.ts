import { DbwaveError, ErrorCode, type ExitStatus, exitStatusFor } from '../core/errors.js';
import { printable } from '../core/printable.js';

/**
 * Every command handler goes through here: it returns an exit status, and any error becomes
 * one clear line on stderr (a stack trace only for a dbwave bug, or with DBWAVE_DEBUG=1).
 */
export async function runHandler(handler: () => Promise<ExitStatus>): Promise<void> {
  try {
    const status = await handler();
    process.exitCode = status;
  } catch (error) {
    reportError(error);
    process.exitCode = exitStatusFor(error);
  }
}

export function reportError(error: unknown): void {
  const debug = process.env.DBWAVE_DEBUG === '1';
  if (error instanceof DbwaveError && error.code !== ErrorCode.Internal) {
    process.stderr.write(`dbwave: ${printable(error.message)}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`dbwave: internal error: ${printable(message)}\n`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
