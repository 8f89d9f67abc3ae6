import { processIdentity, processServices } from '../app/command-services.js';
import type { RunServices } from '../app/run-services.js';
import { askOnTerminal, inconclusiveAsker } from '../app/terminal-prompts.js';
import type { ExitStatus } from '../core/errors.js';
import { runHandler } from './run-handler.js';

/**
 * The handler `run` and `rollback` share: the real services, and Ctrl-C in two steps (first:
 * no new server starts; second: servers in flight are interrupted, their windows closed, and a
 * rerun resumes them).
 */
export function waveCommandHandler<A>(
  command: (args: A, services: RunServices) => Promise<ExitStatus>,
): (args: A) => Promise<void> {
  return (args) => {
    const halt = new AbortController();
    const abort = new AbortController();
    const onSigint = (): void => {
      if (!halt.signal.aborted) {
        process.stderr.write(
          '\ndbwave: halting: no new server starts; servers in flight finish. Ctrl-C again to interrupt them (their windows are closed, a rerun resumes them)\n',
        );
        halt.abort(new Error('halted by the operator'));
        return;
      }
      abort.abort(new Error('interrupted by the operator'));
    };
    process.on('SIGINT', onSigint);
    return runHandler(() =>
      command(args, {
        ...processServices(),
        interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
        confirm: askOnTerminal,
        askInconclusive: inconclusiveAsker(),
        identity: processIdentity(),
        halt: halt.signal,
        abort: abort.signal,
      }).finally(() => process.off('SIGINT', onSigint)),
    ).then(() => {
      // The journal is closed and the lock released: a socket to a hung server (its close never
      // answered) must not keep dbwave running after the wave is over.
      process.exit();
    });
  };
}
