import { DbwaveError, ErrorCode, errorMessage, TimeoutError } from '../../core/errors.js';
import {
  innodbStatusFacts,
  missingVariableReason,
  PREFLUSH_VARIABLES,
  type PreflushVariable,
} from '../../model/server-flavour.js';
import type { PreflushEnd, StepDetail } from '../journal/step-detail.js';
import { drainCounters, existingGlobalVariables, setGlobalNumber } from './innodb-queries.js';
import { journaledFlavour } from './journaled-flavour.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { because } from './transitions.js';
import { waitUntil } from './wait-until.js';

const VARIABLE: PreflushVariable = 'innodb_max_dirty_pages_pct';
const POLL_MS = 1_000;

const IO_CAPACITY: PreflushVariable = 'innodb_io_capacity';
const IO_CAPACITY_MAX: PreflushVariable = 'innodb_io_capacity_max';

/**
 * The settings the pre-flush changes, as they were: journaled in its `started` record. An
 * io_capacity setting the server does not have (MySQL 5.1 has neither) is absent here, and
 * never set.
 */
export interface PreflushOriginals {
  readonly dirtyPagesPct: number;
  readonly ioCapacity?: number;
  readonly ioCapacityMax?: number;
}

/** The originals from the pre-flush's journaled detail; undefined when it never read them. */
export function preflushOriginals(detail: StepDetail<'preflush'> | undefined): PreflushOriginals | undefined {
  if (detail?.originalDirtyPagesPct === undefined) return undefined;
  const { originalIoCapacity: ioCapacity, originalIoCapacityMax: ioCapacityMax } = detail;
  return {
    dirtyPagesPct: detail.originalDirtyPagesPct,
    ...(ioCapacity === undefined ? {} : { ioCapacity }),
    ...(ioCapacityMax === undefined ? {} : { ioCapacityMax }),
  };
}

/** Puts the settings back as they were (io_capacity before its ceiling, which it may not exceed). */
export async function restorePreflushSetting(
  context: StepContext,
  originals: PreflushOriginals,
): Promise<void> {
  const sql = await context.sql();
  if (originals.ioCapacity !== undefined) await setGlobalNumber(sql, IO_CAPACITY, originals.ioCapacity);
  if (originals.ioCapacityMax !== undefined)
    await setGlobalNumber(sql, IO_CAPACITY_MAX, originals.ioCapacityMax);
  await setGlobalNumber(sql, VARIABLE, originals.dirtyPagesPct);
}

function numberOf(
  found: ReadonlyMap<PreflushVariable, string>,
  name: PreflushVariable,
  server: string,
): number {
  const value = Number(found.get(name));
  if (!Number.isFinite(value)) throw new DbwaveError(ErrorCode.StepFailed, `${server}: cannot read ${name}`);
  return value;
}

/** Dirty pages must fall below this share of their lowest reading to count as still falling. */
const STILL_FALLING = 0.95;

/**
 * Lowers innodb_max_dirty_pages_pct (and raises innodb_io_capacity) and waits, bounded, until few
 * pages are dirty, so the clean shutdown inside the window has less to flush. It stops waiting
 * when dirty pages reach the target, when they have not fallen for `settle` (under write load the
 * pool reaches a floor where the flush only keeps up: waiting longer buys nothing), or at the
 * timeout. Whichever it was, the settings STAY changed until the shutdown ends them: restored at
 * once, a server under write load dirties its pool again in the seconds before the stop and what
 * was flushed is lost. They are restored when the pre-flush fails or is aborted, and by the engine
 * when the server's run ends without reaching the shutdown (or a resume finds it so).
 */
export const preflushStep: StepHandler<'preflush'> = {
  step: 'preflush',

  async prepare(context) {
    const { preflush } = context.campaign;
    if (!preflush.enabled) return { enabled: false };
    const sql = await context.sql();
    const name = context.server.name;
    const flavour = journaledFlavour(context);
    // The server says which it has; the flavour only explains a missing one in the journal.
    const wanted: readonly PreflushVariable[] = preflush.ioCapacity === 0 ? [VARIABLE] : PREFLUSH_VARIABLES;
    const found = await existingGlobalVariables(sql, wanted);
    const originalDirtyPagesPct = numberOf(found, VARIABLE, name);
    const skippedVariables = wanted
      .filter((variable) => !found.has(variable))
      .map((variable) => ({ name: variable, reason: missingVariableReason(variable, flavour) }));
    const { dirtyPages } = await drainCounters(sql, innodbStatusFacts(flavour));
    return {
      originalDirtyPagesPct,
      ...(found.has(IO_CAPACITY) ? { originalIoCapacity: numberOf(found, IO_CAPACITY, name) } : {}),
      ...(found.has(IO_CAPACITY_MAX)
        ? { originalIoCapacityMax: numberOf(found, IO_CAPACITY_MAX, name) }
        : {}),
      ...(skippedVariables.length === 0 ? {} : { skippedVariables }),
      ...(dirtyPages === undefined ? {} : { dirtyPagesBefore: dirtyPages }),
    };
  },

  async run(context, prepared): Promise<StepResult<'preflush'>> {
    const { preflush } = context.campaign;
    if (!preflush.enabled) return { event: 'skipped', next: { step: 'window-open' } };
    const original = preflushOriginals(prepared);
    if (original === undefined) {
      throw new DbwaveError(
        ErrorCode.Internal,
        `${context.server.name}: ${VARIABLE} was not read before the pre-flush`,
      );
    }
    const sql = await context.sql();
    let last: number | undefined;
    let endedBy: PreflushEnd = 'timeout';
    // The lowest reading so far and when it was seen: the pool has settled when it stops falling.
    let lowest = Number.POSITIVE_INFINITY;
    let lowestAtMs = 0;
    const statusFacts = innodbStatusFacts(journaledFlavour(context));
    try {
      await setGlobalNumber(sql, VARIABLE, preflush.dirtyPagesPct);
      // The ceiling first: io_capacity may not exceed it. A server without one has no ceiling.
      if (original.ioCapacityMax !== undefined) {
        await setGlobalNumber(sql, IO_CAPACITY_MAX, Math.max(original.ioCapacityMax, preflush.ioCapacity));
      }
      if (original.ioCapacity !== undefined) await setGlobalNumber(sql, IO_CAPACITY, preflush.ioCapacity);
      endedBy = await waitUntil<PreflushEnd>({
        what: `${context.server.name}: dirty pages down to ${preflush.targetDirtyPages}`,
        clock: context.clock,
        timeoutMs: preflush.timeout,
        intervalMs: POLL_MS,
        signal: context.signal,
        check: async (elapsedMs) => {
          const { dirtyPages } = await drainCounters(sql, statusFacts);
          last = dirtyPages;
          await context.progress('preflush', {
            message: `pre-flush: ${dirtyPages ?? '?'} dirty pages (target ${preflush.targetDirtyPages})`,
            ...(dirtyPages === undefined ? {} : { dirtyPages }),
            elapsedMs,
          });
          if (dirtyPages === undefined) return undefined;
          if (dirtyPages <= preflush.targetDirtyPages) return 'target';
          if (dirtyPages < lowest * STILL_FALLING) {
            lowest = dirtyPages;
            lowestAtMs = elapsedMs;
            return undefined;
          }
          return preflush.settle > 0 && elapsedMs - lowestAtMs >= preflush.settle ? 'settled' : undefined;
        },
      });
    } catch (error) {
      if (!(error instanceof TimeoutError)) {
        await restoreOrExplain(context, original, error);
        throw error;
      }
    }
    return {
      event: 'succeeded',
      next: { step: 'window-open' },
      detail: {
        endedBy,
        reachedTarget: endedBy === 'target',
        // Still changed: the shutdown, or the engine's cleanup, puts them back.
        loweredUntilShutdown: true,
        ...(last === undefined ? {} : { dirtyPages: last }),
      },
    };
  },

  probe: async () => 'rerun',

  onError: (_context, error) => ({
    next: {
      // The setting stuck low is a change a person must undo; anything else touched nothing.
      outcome: error instanceof PreflushRestoreError ? 'NeedsPerson' : 'PrecheckFailed',
      reason: because('preflush', error),
    },
  }),
};

async function restoreOrExplain(
  context: StepContext,
  original: PreflushOriginals,
  earlier?: unknown,
): Promise<void> {
  try {
    await restorePreflushSetting(context, original);
  } catch (error) {
    const after = earlier === undefined ? '' : ` after ${errorMessage(earlier)}`;
    throw new PreflushRestoreError(
      `${context.server.name}: could not restore ${VARIABLE}=${original.dirtyPagesPct} (and innodb_io_capacity)${after}: ${errorMessage(error)}`,
      error,
    );
  }
}

/** innodb_max_dirty_pages_pct could not be put back. */
class PreflushRestoreError extends DbwaveError {
  constructor(message: string, cause: unknown) {
    super(ErrorCode.StepFailed, message, { cause });
  }
}
