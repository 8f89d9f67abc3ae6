import type { ExitStatus } from '../core/errors.js';
import { runHandler } from './run-handler.js';

/**
 * The handler of a command that may loop or wait (`status --every`, `compare`): Ctrl-C aborts the
 * signal it is given, and it returns as it would at its end.
 */
export function interruptibleHandler(command: (signal: AbortSignal) => Promise<ExitStatus>): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  return runHandler(() => command(controller.signal).finally(() => process.off('SIGINT', stop)));
}
