import type { ResolvedServer } from '../../model/resolved-server.js';
import type { CanaryPayload, EngineEvents } from '../events/engine-events.js';
import { applyCanaryRecord, type CanaryStageState } from '../journal/canary-stage-state.js';
import type { CanaryComparison } from '../ports/canary-comparison.js';
import type { Clock } from '../ports/clock.js';
import type { JournalStore } from '../ports/journal-store.js';
import {
  type BakeDecision,
  bakeVerdict,
  decideAfterCheck,
  type InconclusivePolicy,
  nextBakeStep,
} from './canary-bake.js';

/** The first wave's canary stage as `dbwave run` gives it to the wave runner (campaign `canary`). */
export interface CanaryStageOptions {
  /** The canaries' names (canaryServers): they run first, the rest of the wave after the bake. */
  readonly servers: readonly string[];
  readonly bakeMs: number;
  /** How often the canaries are compared before the bake's end (campaign `canary.every`). */
  readonly everyMs: number;
  readonly compare: CanaryComparison;
  /**
   * The journal as it is now: a canary sent back after its bake resumes from this run's records
   * of it, which the history the run began with does not hold.
   */
  readonly journal: Pick<JournalStore, 'read'>;
}

export interface CanaryBakeRun {
  readonly wave: number;
  readonly canaries: readonly ResolvedServer[];
  readonly options: CanaryStageOptions;
  /** The stage as the journal holds it (a resumed run's bake goes on from there). */
  readonly journaled: CanaryStageState | undefined;
  readonly events: EngineEvents;
  readonly clock: Clock;
  readonly inconclusive: InconclusivePolicy;
  /** Ctrl-C, SIGTERM, an aborted run: the bake stops waiting and is left for a resume. */
  readonly stop: AbortSignal;
}

/** The part of a canary record the stage says; the wave, the canaries and the time are added. */
type CanaryFields = Omit<CanaryPayload, 'at' | 'wave' | 'canaries'>;

/**
 * Journals a decision the stage took without a bake (a canary that did not come through its own
 * upgrade), and returns it.
 */
export async function journalDecision(
  run: Pick<CanaryBakeRun, 'wave' | 'canaries' | 'events' | 'clock'>,
  decided: BakeDecision,
  verdict: 'fail' | 'inconclusive' | 'pass',
): Promise<BakeDecision> {
  await emitCanary(run, { ...decisionFields(decided), verdict });
  return decided;
}

/**
 * Waits out the bake, comparing the canaries with their controls every `everyMs` and at its end,
 * each comparison and the verdict so far journaled, until it decides whether the wave goes on.
 * The countdown is the journal's: a resumed run waits only for what is left, and compares at
 * once when the bake ended while no dbwave ran. Undefined when stopped before deciding.
 */
export async function bakeCanaries(run: CanaryBakeRun): Promise<BakeDecision | undefined> {
  const { clock, options, stop } = run;
  let stage = run.journaled;
  const emit = async (fields: CanaryFields): Promise<void> => {
    const payload = await emitCanary(run, fields);
    stage = applyCanaryRecord(stage, payload);
  };
  for (;;) {
    if (stop.aborted) return undefined;
    const now = clock.now();
    const step = nextBakeStep(stage, now, options.everyMs);
    switch (step.kind) {
      case 'decided':
        return {
          decision: step.decision,
          reason: stage?.reason ?? '',
          rollBack: stage?.rollBack ?? [],
        };
      case 'start':
        await emit({
          event: 'bake-started',
          bakeMs: options.bakeMs,
          endsAt: new Date(now + options.bakeMs).toISOString(),
        });
        break;
      case 'wait':
        try {
          await clock.sleep(Math.max(0, step.until - now), stop);
        } catch {
          return undefined;
        }
        break;
      case 'check': {
        const checks = await options.compare(run.canaries, stop);
        // A comparison cut short says nothing: the resumed run compares again.
        if (stop.aborted) return undefined;
        const verdict = bakeVerdict(checks);
        await emit({ event: 'bake-check', verdict, checks });
        const decided = decideAfterCheck(checks, step.final, run.inconclusive);
        if (decided !== undefined) await emit({ ...decisionFields(decided), verdict });
        break;
      }
      default:
        return step satisfies never;
    }
  }
}

function decisionFields(decided: BakeDecision): CanaryFields {
  return {
    event: 'decided',
    decision: decided.decision,
    reason: decided.reason,
    ...(decided.rollBack.length === 0 ? {} : { rollBack: decided.rollBack }),
  };
}

async function emitCanary(
  run: Pick<CanaryBakeRun, 'wave' | 'canaries' | 'events' | 'clock'>,
  fields: CanaryFields,
): Promise<CanaryPayload> {
  const payload: CanaryPayload = {
    at: new Date(run.clock.now()).toISOString(),
    wave: run.wave,
    canaries: run.canaries.map((server) => server.name),
    ...fields,
  };
  await run.events.emit('canary', payload);
  return payload;
}
