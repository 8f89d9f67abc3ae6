import { DbwaveError, ErrorCode, type ExitStatus, exitStatusFor } from '../core/errors.js';
import { printable } from '../core/printable.js';

/** Where a handler's errors are reported: the process's stderr, or a test's string. */
export interface ErrorSink {
  readonly stderr: { write(text: string): unknown };
  /** DBWAVE_DEBUG=1: a stack trace after every message, not only after a dbwave bug's. */
  readonly debug: boolean;
}

/** This process's stderr, with DBWAVE_DEBUG read from its environment. */
export function processErrorSink(): ErrorSink {
  return { stderr: process.stderr, debug: process.env.DBWAVE_DEBUG === '1' };
}

/**
 * Every command handler goes through here: it returns an exit status, and any error becomes
 * one clear line on stderr (a stack trace only for a dbwave bug, or with DBWAVE_DEBUG=1).
 */
export async function runHandler(handler: () => Promise<ExitStatus>): Promise<void> {
  process.exitCode = await exitStatusOfHandler(handler, processErrorSink());
}

/** What runHandler does, minus setting the process's exit code: the status is returned. */
export async function exitStatusOfHandler(
  handler: () => Promise<ExitStatus>,
  sink: ErrorSink,
): Promise<ExitStatus> {
  try {
    return await handler();
  } catch (error) {
    reportError(error, sink);
    return exitStatusFor(error);
  }
}

export function reportError(error: unknown, sink: ErrorSink = processErrorSink()): void {
  if (error instanceof DbwaveError && error.code !== ErrorCode.Internal) {
    sink.stderr.write(`dbwave: ${printable(error.message)}\n`);
    if (sink.debug && error.stack) sink.stderr.write(`${error.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sink.stderr.write(`dbwave: internal error: ${printable(message)}\n`);
  if (error instanceof Error && error.stack) sink.stderr.write(`${error.stack}\n`);
}
