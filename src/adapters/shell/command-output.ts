import type { CommandResult } from '../../engine/ports/remote-shell.js';
import { OutputTail } from './output-tail.js';

/**
 * What one command prints, kept as bounded tails of stdout and stderr, and timed from its
 * creation: every shell adapter builds its {@link CommandResult} the same way.
 */
export class CommandOutput {
  readonly stdout: OutputTail;
  readonly stderr: OutputTail;
  private readonly started = performance.now();

  constructor(maxOutputBytes: number) {
    this.stdout = new OutputTail(maxOutputBytes);
    this.stderr = new OutputTail(maxOutputBytes);
  }

  /** The result so far, with this exit code (`null`: killed, timed out or the connection dropped). */
  result(exitCode: number | null): CommandResult {
    return {
      exitCode,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      durationMs: performance.now() - this.started,
    };
  }
}
