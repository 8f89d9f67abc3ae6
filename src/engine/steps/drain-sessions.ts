import { formatDuration } from '../../core/duration.js';
import { TimeoutError } from '../../core/errors.js';
import type { StepDetail } from '../journal/step-detail.js';
import type { SessionDrain } from '../ports/maintenance-window.js';
import type { StepContext } from './step-context.js';
import { waitUntil } from './wait-until.js';

/**
 * How often the load balancers are asked for the server's sessions while it drains: a server
 * that drains takes no new sessions, so its users already see 503s, and the last session's end
 * (a user's request takes milliseconds) should be seen within a few tens of them. A `show stat`
 * on a runtime API costs next to nothing.
 */
const DRAIN_POLL_MS = 20;

/** What a drain journals with the window's opening. */
export type DrainFacts = Pick<StepDetail<'window-open'>, 'drainMs' | 'drainTimedOut' | 'sessionsLeft'>;

/**
 * Draining, not cutting: the server takes no new sessions, and the wait lasts until the load
 * balancers count none left or the campaign's drain timeout runs out. A timeout is not a
 * failure: the window opens anyway (the sessions left end when mysqld stops) and an alert says
 * how many there were.
 */
export async function drainSessions(
  context: StepContext,
  step: 'window-open' | 'rollback-window-open',
  drain: SessionDrain,
): Promise<DrainFacts> {
  const { server, clock } = context;
  const started = clock.now();
  let left = 0;
  let timedOut = false;
  // The first check begins the drain, which counts the sessions left on the same connection.
  let count = (): Promise<number> => drain.begin(server);
  try {
    await waitUntil({
      what: `${server.name}: its sessions to end`,
      clock,
      timeoutMs: drain.timeoutMs,
      intervalMs: DRAIN_POLL_MS,
      signal: context.signal,
      check: async (elapsedMs) => {
        left = await count();
        count = () => drain.sessions(server);
        if (left === 0) return true;
        await context.progress(step, { message: `draining: ${left} session(s) still open`, elapsedMs });
        return undefined;
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    timedOut = true;
    await context.alert(
      'other',
      `draining for ${formatDuration(drain.timeoutMs)} (maintenance.drainTimeout) left ${left} session(s) open: the window opens anyway, and they end when mysqld stops`,
    );
  }
  return { drainMs: clock.now() - started, drainTimedOut: timedOut, sessionsLeft: left };
}
