import { formatDuration } from '../../core/duration.js';
import { DbwaveError, ErrorCode, TimeoutError } from '../../core/errors.js';
import { hasCleanShutdownLine, innodbStatusFacts } from '../../model/server-flavour.js';
import { isOverShutdownBudget, shutdownLimits } from '../../model/shutdown-limits.js';
import { commandFailed } from '../host-commands/command-failed.js';
import type { Next } from '../journal/step-detail.js';
import type { ErrorLogTail } from '../ports/host-commands.js';
import type { SqlSession } from '../ports/sql-session.js';
import { drainCounters, setGlobalNumber } from './innodb-queries.js';
import { journaledFlavour } from './journaled-flavour.js';
import { type DrainSample, estimateShutdownEta, pruneDrainSamples } from './shutdown-eta.js';
import type { StepContext, StepFailure, StepHandler, StepResult } from './step-context.js';
import { because, needsPerson } from './transitions.js';
import { waitUntil } from './wait-until.js';

/**
 * How often the wait looks: the exit must be noticed within half a second (users are in 503
 * until it is), and one SQL or `running` probe per quarter second is nothing to a server.
 */
const POLL_MS = 250;
/**
 * Once SQL is gone, one `running` round trip watches on the host for up to 2 s (20 checks, 0.1 s
 * apart): the clean exit is seen within 0.1 s there and reported at once, and a long shutdown
 * costs one SSH command every 2 s rather than four a second.
 */
const HOST_WATCH = { rounds: 20, everyS: 0.1 } as const;
/** What a shutdown can add to the log is small; a flood is judged by its first MiB. */
const ERROR_LOG_MAX_BYTES = 1_048_576;
/** Progress goes to the journal at most this often; the display gets every poll. */
const JOURNAL_PROGRESS_MS = 30_000;

type ShutdownStepName = 'shutdown' | 'rollback-shutdown';

class UncleanShutdown extends DbwaveError {
  constructor(server: string) {
    super(
      ErrorCode.StepFailed,
      `${server}: mysqld exited without "Shutdown complete" in its error log: an unclean shutdown`,
    );
  }
}

/** The error log's text written since `offset` (all of it when the log was rotated meanwhile). */
export async function errorLogSince(
  context: StepContext,
  step: ShutdownStepName,
  path: string,
  offset: number,
): Promise<string> {
  const tail = await context.commands.errorLogSince(step, path, offset, ERROR_LOG_MAX_BYTES);
  if (tail === undefined) {
    throw new DbwaveError(ErrorCode.StepFailed, `${context.server.name}: cannot read the error log ${path}`);
  }
  return tail.text;
}

function errorLogPath(context: StepContext): string {
  const path = context.detail('precheck').errorLog;
  if (path === undefined || path === '') {
    throw new DbwaveError(ErrorCode.Internal, `${context.server.name}: no error log known from precheck`);
  }
  return path;
}

async function exitedCleanly(context: StepContext, step: ShutdownStepName): Promise<boolean> {
  const text = await errorLogSince(
    context,
    step,
    errorLogPath(context),
    context.detail(step).errorLogOffset ?? 0,
  );
  return hasCleanShutdownLine(text, journaledFlavour(context));
}

/** The tail holds less than the log gained since its start: its end is not in it. */
function isPartial(tail: ErrorLogTail): boolean {
  return Buffer.byteLength(tail.text) < tail.size - tail.start;
}

function afterCleanExit(step: ShutdownStepName): Next {
  return { step: step === 'shutdown' ? 'upgrade' : 'rollback-package' };
}

/** An unclean exit: the package is never touched; the forward shutdown starts the old version again. */
function afterUncleanExit(context: StepContext, step: ShutdownStepName): StepFailure {
  const reason = `${step}: mysqld exited without a clean shutdown; the package was not touched`;
  if (step === 'shutdown')
    return { next: { step: 'rollback-start' }, pending: { outcome: 'NeedsPerson', reason } };
  return needsPerson(context, reason);
}

function notRunning<S extends ShutdownStepName>(step: S): StepResult<S> {
  return { event: 'skipped', next: afterCleanExit(step), detail: { reason: 'mysqld was not running' } };
}

/**
 * The clean shutdown: innodb_fast_shutdown=0, the campaign's `stop`, then a wait for the process
 * to exit with "Shutdown complete" in its error log, within shutdown.budget. While SQL still
 * answers, progress carries an ETA from dirty pages and the history list; afterwards the
 * `running` command and the error log are watched. Over budget is an alert, and then the
 * campaign's policy: `wait` (up to hardLimit) or `abort` (wait for the exit, do not upgrade,
 * start the old version, leave it to a person). mysqld is never killed.
 */
export function shutdownStep<S extends ShutdownStepName>(step: S): StepHandler<S> {
  return {
    step,

    async prepare(context) {
      const earlier = context.detail(step);
      if (earlier.errorLogOffset !== undefined) {
        return {
          errorLogOffset: earlier.errorLogOffset,
          wasRunning: earlier.wasRunning !== false,
          resumed: true,
        };
      }
      const path = errorLogPath(context);
      if (step === 'shutdown') {
        // Read by window-open before the window, mysqld running since: no round trip inside it.
        // A reopened window (a resumed run) says nothing of what happened meanwhile: read again.
        const opened = context.detail('window-open');
        if (opened.errorLogOffset !== undefined && opened.reopen !== true) {
          return { errorLogOffset: opened.errorLogOffset, wasRunning: true };
        }
        return { errorLogOffset: (await context.commands.errorLogSize(step, path)) ?? 0, wasRunning: true };
      }
      // A rollback may find mysqld already down (the new version never started): nothing to stop.
      const seen = await context.commands.runningAndErrorLogSize(step, path);
      return { errorLogOffset: seen.errorLogSize ?? 0, wasRunning: seen.running };
    },

    async run(context, prepared): Promise<StepResult<S>> {
      const { campaign, server, commands } = context;
      if (prepared.wasRunning === false) return notRunning(step);
      const started = context.clock.now();
      let sql: SqlSession | undefined = await context.trySql();
      if (sql) {
        await setGlobalNumber(sql, 'innodb_fast_shutdown', 0);
      } else if (prepared.resumed !== true) {
        throw new DbwaveError(
          ErrorCode.StepFailed,
          `${server.name}: mysqld does not answer SQL, so innodb_fast_shutdown=0 cannot be set; not stopping it`,
        );
      }
      // Journaled with the outcome: reports read the limits the wait applied.
      const limits = shutdownLimits(campaign);
      const { budgetMs: budget, hardLimitMs: hardLimit } = limits;
      const flavour = journaledFlavour(context);
      const statusFacts = innodbStatusFacts(flavour);
      const samples: DrainSample[] = [];
      const logPath = errorLogPath(context);
      const logOffset = prepared.errorLogOffset ?? 0;
      // The stop and the host's first watch for the exit in one round trip: a shutdown that ends
      // within the watch (most, after a pre-flush) costs no other.
      // Shown, not journaled: the watch may hold the answer for 2 s, the display says why.
      await context.progress(step, {
        message: 'stopping: innodb_fast_shutdown=0, sending stop, watching for the exit',
        elapsedMs: 0,
      });
      // A stop that blocks for the whole shutdown (`systemctl stop`, `service mysql stop`) is
      // given the hard limit, not commands.timeout: cutting it would leave mysqld flushing with
      // dbwave gone. Whatever it took (and the watch after it) counts against the budget.
      const stopped = await commands.stopAndWatch(
        step,
        logPath,
        logOffset,
        ERROR_LOG_MAX_BYTES,
        HOST_WATCH,
        hardLimit,
      );
      if (stopped.stop.exitCode !== 0 && (await context.trySql()) !== undefined) {
        throw commandFailed(server, 'stop', stopped.stop);
      }
      const stopMs = context.clock.now() - started;
      const exitedAtOnce = stopped.watch?.running === false;
      let exitLog: ErrorLogTail | undefined =
        stopped.watch?.running === false ? stopped.watch.tail : undefined;
      let overBudget = false;
      const noteOverBudget = async (elapsedMs: number) => {
        if (overBudget || !isOverShutdownBudget(elapsedMs, budget)) return;
        overBudget = true;
        await context.alert(
          'shutdown-over-budget',
          `clean shutdown still running after ${formatDuration(elapsedMs)}, over the budget ${formatDuration(budget)}; policy ${campaign.shutdown.overBudget}`,
        );
      };
      // A blocking stop may have used the budget up before the wait begins (or is skipped).
      await noteOverBudget(stopMs);
      let lastJournaled = Number.NEGATIVE_INFINITY;
      const report = async (message: string, fields: Omit<DrainSample, 'at'> & { etaMs?: number }) => {
        const now = context.clock.now();
        const journal = now - lastJournaled >= JOURNAL_PROGRESS_MS;
        if (journal) lastJournaled = now;
        await context.progress(step, { message, ...fields, elapsedMs: now - started, journal });
      };

      try {
        if (!exitedAtOnce)
          await waitUntil({
            what: `${server.name}: mysqld to exit`,
            clock: context.clock,
            timeoutMs: Math.max(0, hardLimit - stopMs),
            // Start to start: once SQL is gone a check watches on the host for up to 2 s, and the
            // next one follows at once.
            intervalMs: POLL_MS,
            signal: context.signal,
            check: async (waitedMs) => {
              const elapsedMs = stopMs + waitedMs;
              await noteOverBudget(elapsedMs);
              if (sql) {
                try {
                  const counters = await drainCounters(sql, statusFacts);
                  samples.push({ at: context.clock.now(), ...counters });
                  pruneDrainSamples(samples);
                  const etaMs = estimateShutdownEta(samples);
                  await report(
                    `shutting down: ${counters.dirtyPages ?? '?'} dirty pages, history list ${counters.historyListLength ?? '?'}${etaMs === undefined ? '' : `, ETA ${formatDuration(etaMs)}`}`,
                    { ...counters, ...(etaMs === undefined ? {} : { etaMs }) },
                  );
                  return undefined;
                } catch {
                  sql = undefined;
                  await context.dropSql();
                }
              }
              const watch = await commands.runningOrErrorLog(
                step,
                logPath,
                logOffset,
                ERROR_LOG_MAX_BYTES,
                HOST_WATCH,
              );
              if (watch.running) {
                await report(
                  `waiting for mysqld to exit (${formatDuration(elapsedMs)} of ${formatDuration(budget)})`,
                  {},
                );
                return undefined;
              }
              exitLog = watch.tail;
              return true;
            },
          });
      } catch (error) {
        if (error instanceof TimeoutError) {
          // Closing the window now would send users to a server that is still flushing and will
          // exit under them: the window stays open and a person takes over.
          return {
            event: 'failed',
            error,
            detail: { ...limits, overBudget: true, windowLeftOpen: true },
            next: {
              outcome: 'NeedsPerson',
              reason: `${step}: mysqld still running after ${formatDuration(hardLimit)} (shutdown.hardLimit); it was not killed and the 503 window stays open while it flushes: once it has exited, start it and close the window by hand`,
            },
          };
        }
        throw error;
      }
      await context.dropSql();
      const elapsedMs = context.clock.now() - started;
      // A log the watch read only the start of is read again whole (up to its own limit).
      const clean =
        exitLog === undefined || isPartial(exitLog)
          ? await exitedCleanly(context, step)
          : hasCleanShutdownLine(exitLog.text, flavour);
      // The log does not grow while mysqld is down: its size now is where the next start's lines begin.
      const logSize = exitLog === undefined ? {} : { errorLogSizeAfter: exitLog.size };
      if (!clean) {
        return {
          event: 'failed',
          error: new UncleanShutdown(server.name),
          ...afterUncleanExit(context, step),
          detail: { ...limits, elapsedMs, clean: false, overBudget, ...logSize },
        };
      }
      if (overBudget && step === 'shutdown' && campaign.shutdown.overBudget === 'abort') {
        return {
          event: 'failed',
          next: { step: 'rollback-start' },
          pending: {
            outcome: 'NeedsPerson',
            reason: `shutdown took ${formatDuration(elapsedMs)}, over the budget ${formatDuration(budget)} (policy abort): not upgraded, started on the old version`,
          },
          detail: { ...limits, elapsedMs, clean: true, overBudget, ...logSize },
        };
      }
      return {
        event: 'succeeded',
        next: afterCleanExit(step),
        detail: { ...limits, elapsedMs, clean: true, overBudget, ...logSize },
      };
    },

    async probe(context) {
      if (context.detail(step).wasRunning === false) return notRunning(step);
      if (await context.commands.isRunning(step)) return 'rerun';
      if (await exitedCleanly(context, step)) {
        return { event: 'succeeded', next: afterCleanExit(step), detail: { reconciled: true, clean: true } };
      }
      return {
        event: 'failed',
        error: new UncleanShutdown(context.server.name),
        ...afterUncleanExit(context, step),
        detail: { reconciled: true, clean: false },
      };
    },

    onError: (context, error) => needsPerson(context, because(step, error)),
  };
}

export const forwardShutdownStep = shutdownStep('shutdown');
export const rollbackShutdownStep = shutdownStep('rollback-shutdown');
