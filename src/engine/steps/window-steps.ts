import { formatDuration } from '../../core/duration.js';
import { errorMessage } from '../../core/errors.js';
import type { StepName } from '../journal/journal-record.js';
import type { Next, StepDetail } from '../journal/step-detail.js';
import { drainSessions } from './drain-sessions.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { because } from './transitions.js';

const CLOSE_ATTEMPTS = 3;
const CLOSE_RETRY_MS = 2_000;

/**
 * Opens the server's 503 window, draining first when the adapter can (no new sessions, the
 * current ones end or the drain times out, then maint): the step succeeds only once every load
 * balancer has stopped sending the server traffic. `openedAt` (clock ms) is kept for the
 * window's measure, which starts when the server leaves (the drain is journaled on its own).
 * Before it (`prepare`, journaled with `started`) the first window reads the error log's size,
 * where the shutdown's lines will begin: one round trip less inside the window.
 */
function openStep<S extends 'window-open' | 'rollback-window-open'>(
  step: S,
  next: StepName,
  closer: StepName,
): StepHandler<S> {
  return {
    step,
    // The first window's shutdown reads its lines from here; the rollback's reads its own
    // (whether mysqld still runs must be looked at then anyway).
    ...(step === 'window-open'
      ? {
          async prepare(context: StepContext): Promise<StepDetail<S>> {
            const path = context.detail('precheck').errorLog;
            const size = path === undefined ? undefined : await context.commands.errorLogSize(step, path);
            return size === undefined ? {} : { errorLogOffset: size };
          },
        }
      : {}),
    async run(context): Promise<StepResult<S>> {
      const drain = context.window.drain;
      const drained: StepDetail<'window-open'> =
        drain === undefined ? {} : await drainSessions(context, step, drain);
      await context.window.open(context.server);
      return {
        event: 'succeeded',
        next: { step: next },
        detail: { openedAt: context.clock.now(), ...drained },
      };
    },
    async probe(context) {
      const open = await context.window.isOpen(context.server);
      return open === true
        ? { event: 'succeeded', next: { step: next }, detail: { reconciled: true } }
        : 'rerun';
    },
    // It may be half open: close it (closing is idempotent) and leave the server to a person.
    onError: (_context, error) => ({
      next: { step: closer },
      pending: { outcome: 'NeedsPerson', reason: because(step, error) },
    }),
  };
}

/**
 * Closes the 503 window, retrying a few times since a window left open is users locked out, and
 * measures it against the campaign's target503 (an overrun is an alert, not a failure).
 */
function closeStep<S extends 'window-close' | 'rollback-window-close'>(
  step: S,
  opener: 'window-open' | 'rollback-window-open',
  afterwards: (context: StepContext) => Next,
): StepHandler<S> {
  return {
    step,
    async run(context): Promise<StepResult<S>> {
      let lastError: unknown;
      for (let attempt = 1; attempt <= CLOSE_ATTEMPTS; attempt++) {
        try {
          await context.window.close(context.server);
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
          if (attempt < CLOSE_ATTEMPTS) await context.clock.sleep(CLOSE_RETRY_MS);
        }
      }
      if (lastError !== undefined) throw lastError;
      const { openedAt } = context.detail(opener);
      const windowMs = openedAt === undefined ? undefined : context.clock.now() - openedAt;
      if (windowMs !== undefined && windowMs > context.campaign.target503) {
        await context.alert(
          'window-over-target',
          `the 503 window lasted ${formatDuration(windowMs)}, over the target ${formatDuration(context.campaign.target503)}`,
        );
      }
      return {
        event: 'succeeded',
        next: afterwards(context),
        detail: windowMs === undefined ? {} : { windowMs },
      };
    },
    async probe(context) {
      const open = await context.window.isOpen(context.server);
      return open === false
        ? { event: 'succeeded', next: afterwards(context), detail: { reconciled: true } }
        : 'rerun';
    },
    onError: async (context, error) => {
      await context.alert('other', `the 503 window may still be open: ${errorMessage(error)}`);
      return {
        next: {
          outcome: 'NeedsPerson',
          reason: `${because(step, error)}; the window may still be open${pendingNote(context)}`,
        },
      };
    },
  };
}

function pendingNote(context: StepContext): string {
  const pending = context.pending();
  return pending === undefined ? '' : ` (before that: ${pending.outcome}, ${pending.reason})`;
}

function pendingOr(context: StepContext, otherwise: Next): Next {
  const pending = context.pending();
  return pending === undefined ? otherwise : { outcome: pending.outcome, reason: pending.reason };
}

export const windowOpenStep = openStep('window-open', 'shutdown', 'window-close');
export const windowCloseStep = closeStep('window-close', 'window-open', (context) =>
  pendingOr(context, { step: 'analysis-gates' }),
);
export const rollbackWindowOpenStep = openStep(
  'rollback-window-open',
  'rollback-shutdown',
  'rollback-window-close',
);
export const rollbackWindowCloseStep = closeStep('rollback-window-close', 'rollback-window-open', (context) =>
  pendingOr(context, { outcome: 'RolledBack' }),
);
