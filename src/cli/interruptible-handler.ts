import type { ExitStatus } from '../core/errors.js';
import { onOperatorSignals } from './operator-signals.js';
import { runHandler } from './run-handler.js';

/**
 * The handler of a command that may loop or wait (`status --every`, `compare`): Ctrl-C, SIGTERM
 * or SIGHUP aborts the signal it is given, and it returns as it would at its end (with 143 or
 * 129 after SIGTERM or SIGHUP).
 */
export async function interruptibleHandler(
  command: (signal: AbortSignal) => Promise<ExitStatus>,
): Promise<void> {
  const controller = new AbortController();
  const signals = onOperatorSignals(
    () => controller.abort(new Error('interrupted')),
    () => undefined,
  );
  await runHandler(() => command(controller.signal).finally(() => signals.release()));
  const signalled = signals.exitStatus();
  if (signalled !== undefined) process.exitCode = signalled;
}
