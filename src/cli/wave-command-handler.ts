import { processIdentity, processServices } from '../app/command-services.js';
import type { RunServices } from '../app/run-services.js';
import { askAboutClientsOnTerminal, askOnTerminal, inconclusiveAsker } from '../app/terminal-prompts.js';
import type { ExitStatus } from '../core/errors.js';
import { onOperatorSignals, safeWrite } from './operator-signals.js';
import { runHandler } from './run-handler.js';

/**
 * The handler `run` and `rollback` share: the real services, and a stop in two steps on Ctrl-C,
 * SIGTERM or SIGHUP. The first signal halts the wave at a safe point: no new server starts,
 * servers in flight finish, and the journal says why. The second interrupts the servers in
 * flight: their windows are closed and a rerun resumes them. Any later signal is answered with
 * what is going on. After SIGTERM or SIGHUP dbwave exits 143 or 129 once it has stopped.
 */
export function waveCommandHandler<A>(
  command: (args: A, services: RunServices) => Promise<ExitStatus>,
): (args: A) => Promise<void> {
  return (args) => {
    const halt = new AbortController();
    const abort = new AbortController();
    const signals = onOperatorSignals(
      (why) => {
        safeWrite(
          `\ndbwave: ${why}: halting: no new server starts; servers in flight finish. Ctrl-C again to interrupt them (their windows are closed, a rerun resumes them)\n`,
        );
        halt.abort(new Error(why === 'Ctrl-C' ? 'halted by the operator' : `halted by ${why}`));
      },
      (why, count) => {
        if (count === 2) {
          safeWrite(
            `\ndbwave: ${why} again: interrupting the servers in flight; their windows are being closed. A rerun resumes them.\n`,
          );
          abort.abort(new Error('interrupted by the operator'));
          return;
        }
        safeWrite(
          `\ndbwave: ${why}: already interrupting; waiting for the open windows to close so that no server is left in 503\n`,
        );
      },
    );
    return runHandler(() =>
      command(args, {
        ...processServices(),
        interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
        confirm: askOnTerminal,
        askInconclusive: inconclusiveAsker(),
        askAboutClients: askAboutClientsOnTerminal,
        identity: processIdentity(),
        halt: halt.signal,
        abort: abort.signal,
      }).finally(() => signals.release()),
    ).then(() => {
      const signalled = signals.exitStatus();
      if (signalled !== undefined) process.exitCode = signalled;
      // The journal is closed and the lock released: a socket to a hung server (its close never
      // answered) must not keep dbwave running after the wave is over.
      process.exit();
    });
  };
}
