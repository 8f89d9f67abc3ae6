import { TimeoutError } from '../../core/errors.js';
import type { CommandResult } from '../../engine/ports/remote-shell.js';

/**
 * A command ran past its timeout and was aborted (its channel closed or its process group
 * signalled). It is a `TimeoutError` (code TIMEOUT, retryable) to the engine; `result` holds
 * what the command printed before that, with `exitCode: null` since it never exited on its own.
 */
export class CommandTimeoutError extends TimeoutError {
  readonly host: string;
  readonly result: CommandResult;

  constructor(host: string, timeoutMs: number, result: CommandResult) {
    super(`${host}: command`, timeoutMs);
    this.host = host;
    this.result = result;
  }
}
