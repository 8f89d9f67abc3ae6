import { createInterface } from 'node:readline/promises';
import { formatDuration } from '../core/duration.js';
import type { GatePhase, GateVerdict } from '../gates/gate-verdict.js';
import type { InconclusiveAction } from '../gates/inconclusive-decision.js';
import type { QuestionTerms, StatsAndGatesPorts } from '../gates/probes/stats-and-gates-hooks.js';
import type { UnexpectedClientsAnswer } from './topology-precheck.js';

/** The questions `run` and `rollback` ask a DBA at the terminal. */

/** Asks a yes/no question on the terminal. */
export async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await terminal.question(`${question} Type yes to go on: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    terminal.close();
  }
}

const INCONCLUSIVE_ANSWERS: Readonly<Record<string, InconclusiveAction>> = {
  continue: 'continue',
  c: 'continue',
  rollback: 'rollback',
  'roll back': 'rollback',
  r: 'rollback',
  pause: 'pause',
  p: 'pause',
};

/**
 * Asks the DBA at the terminal what an inconclusive gate means, one question at a time (servers
 * run in parallel, the terminal is one). An empty or unknown answer leaves it to the campaign;
 * so does silence until the question's time is up (`terms.signal` aborts): the prompt closes and
 * says which answer the campaign gave.
 */
export function inconclusiveAsker(): NonNullable<StatsAndGatesPorts['ask']> {
  let turn: Promise<unknown> = Promise.resolve();
  return (server: string, phase: GatePhase, verdicts: readonly GateVerdict[], terms?: QuestionTerms) => {
    const asked = turn.then(async () => {
      if (terms?.signal.aborted) return undefined;
      const terminal = createInterface({ input: process.stdin, output: process.stdout });
      try {
        const evidence = verdicts
          .filter((verdict) => verdict.verdict === 'inconclusive')
          .map((verdict) => `${verdict.gate}: ${verdict.evidence}`)
          .join('; ');
        const deadline =
          terms === undefined
            ? ''
            : ` (no answer in ${formatDuration(terms.timeoutMs)}: ${terms.defaultAnswer})`;
        const answer = await terminal.question(
          `\n${server}: ${phase} gates inconclusive (${evidence}). continue, rollback or pause${deadline}? `,
          terms === undefined ? {} : { signal: terms.signal },
        );
        return INCONCLUSIVE_ANSWERS[answer.trim().toLowerCase()];
      } catch (error) {
        if (terms?.signal.aborted !== true) throw error;
        process.stdout.write(
          `\n${server}: no answer; the campaign's answer (${terms.defaultAnswer}) decides\n`,
        );
        return undefined;
      } finally {
        terminal.close();
      }
    });
    turn = asked.catch(() => undefined);
    return asked;
  };
}

/**
 * Asks the DBA at the terminal whether a run goes on despite clients that do not come through
 * the maintenance proxy. An empty or unknown answer leaves it to the campaign's clients.unexpected.
 */
export async function askAboutClientsOnTerminal(
  lines: readonly string[],
): Promise<UnexpectedClientsAnswer | undefined> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await terminal.question(
      `\nClients not through the maintenance proxy:\n${lines.map((line) => `  ${line}`).join('\n')}\ncontinue or pause (stop before any server is touched)? `,
    );
    const word = answer.trim().toLowerCase();
    return word === 'continue' || word === 'c'
      ? 'continue'
      : word === 'pause' || word === 'p'
        ? 'pause'
        : undefined;
  } finally {
    terminal.close();
  }
}
