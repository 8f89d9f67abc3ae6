import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { because, needsPerson, rollBack } from './transitions.js';
import { waitUntil } from './wait-until.js';

/**
 * A started server is polled often (a connection attempt, refused at once until it listens):
 * every moment it answers unseen is 503 time for its users.
 */
const POLL_MS = 100;
/**
 * While it does not answer yet, whether mysqld still runs is asked of the host at most this
 * often: a start that dies is noticed within a second, and one that answers within it (most)
 * costs no round trip beyond the start command's.
 */
const RUNNING_CHECK_MS = 1_000;

async function answers(context: StepContext): Promise<boolean> {
  const sql = await context.trySql();
  if (!sql) return false;
  try {
    await sql.query('SELECT 1');
    return true;
  } catch {
    await context.dropSql();
    return false;
  }
}

/**
 * Starts mysqld with the campaign's `start` and waits until it answers SQL, within startTimeout.
 * A process that is gone while it does not answer yet fails the step at once. The error log's
 * size before the start is kept, so that log gates read only what this start wrote.
 */
function startStep<S extends 'start' | 'rollback-start'>(step: S): StepHandler<S> {
  const next = { step: step === 'start' ? 'post-upgrade' : 'rollback-verify' } as const;
  return {
    step,
    async prepare(context) {
      const path = context.detail('precheck').errorLog;
      if (path === undefined) return {};
      // Read at the end of the clean shutdown, with mysqld down since: no round trip in the window.
      const afterShutdown = context.detail(
        step === 'start' ? 'shutdown' : 'rollback-shutdown',
      ).errorLogSizeAfter;
      if (afterShutdown !== undefined) return { errorLogOffset: afterShutdown };
      const offset = await context.commands.errorLogSize(step, path);
      return offset === undefined ? {} : { errorLogOffset: offset };
    },
    async run(context): Promise<StepResult<S>> {
      await context.dropSql();
      await context.commands.runChecked(step, 'start');
      const started = context.clock.now();
      // The start command has just seen it launched.
      let lastRunningCheck = started;
      await waitUntil({
        what: `${context.server.name}: mysqld to answer SQL after start`,
        clock: context.clock,
        timeoutMs: context.campaign.startTimeout,
        intervalMs: POLL_MS,
        signal: context.signal,
        check: async () => {
          if (await answers(context)) return true;
          if (context.clock.now() - lastRunningCheck < RUNNING_CHECK_MS) return undefined;
          lastRunningCheck = context.clock.now();
          if (!(await context.commands.isRunning(step))) {
            throw new DbwaveError(
              ErrorCode.StepFailed,
              `${context.server.name}: mysqld exited during its start`,
            );
          }
          return undefined;
        },
      });
      return { event: 'succeeded', next, detail: { startMs: context.clock.now() - started } };
    },
    async probe(context) {
      return (await answers(context)) ? { event: 'succeeded', next, detail: { reconciled: true } } : 'rerun';
    },
    onError: (context, error) =>
      step === 'start' ? rollBack(context, because(step, error)) : needsPerson(context, because(step, error)),
  };
}

export const forwardStartStep = startStep('start');
export const rollbackStartStep = startStep('rollback-start');
