import { errorMessage } from '../core/errors.js';

/**
 * The signals an operator (or what runs dbwave) sends, and what each means. SIGTERM is a
 * service manager or `kill`; SIGHUP is the terminal going away, such as a dropped SSH session to
 * the jump host. All three stop dbwave at a safe point rather than killing it mid-step; the
 * exit status of SIGTERM and SIGHUP is the shell's 128 + signal number, so a wrapper can tell
 * them from a finished run.
 */
export const OPERATOR_SIGNALS = {
  SIGINT: { exitStatus: undefined, why: 'Ctrl-C' },
  SIGTERM: { exitStatus: 143, why: 'SIGTERM' },
  SIGHUP: { exitStatus: 129, why: 'SIGHUP (the terminal or SSH session closed)' },
} as const;
export type OperatorSignal = keyof typeof OPERATOR_SIGNALS;

export interface SignalHandling {
  /** The first signal's exit status, once one came (SIGINT: the run's own status). */
  exitStatus(): number | undefined;
  /** Stops listening. */
  release(): void;
}

/**
 * Listens for the operator's signals: the first calls `first` with why, every later one
 * `again` with why and how many came. Writes to stderr never throw (after SIGHUP there may be no
 * terminal to write to, and that must not turn a safe stop into a crash).
 */
export function onOperatorSignals(
  first: (why: string) => void,
  again: (why: string, count: number) => void,
): SignalHandling {
  let received: OperatorSignal | undefined;
  let count = 0;
  const ignoreWriteErrors = (): void => undefined;
  process.stderr.on('error', ignoreWriteErrors);
  const listeners = Object.keys(OPERATOR_SIGNALS).map((name) => {
    const signal = name as OperatorSignal;
    const listener = (): void => {
      count += 1;
      const { why } = OPERATOR_SIGNALS[signal];
      try {
        if (received === undefined) {
          received = signal;
          first(why);
        } else {
          again(why, count);
        }
      } catch (error) {
        safeWrite(`dbwave: while handling ${why}: ${errorMessage(error)}\n`);
      }
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return {
    exitStatus: () => (received === undefined ? undefined : OPERATOR_SIGNALS[received].exitStatus),
    release: () => {
      for (const [signal, listener] of listeners) process.off(signal, listener);
      process.stderr.off('error', ignoreWriteErrors);
    },
  };
}

/** Writes to stderr, ignoring a closed terminal. */
export function safeWrite(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // No terminal left to tell: the journal still says what happened.
  }
}
