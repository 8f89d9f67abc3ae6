import type { CanaryCheck, CanaryRecord } from './journal-record.js';

/**
 * The first wave's canary stage as its journal records say: the bake's start and end, the verdict
 * so far, and the decision once taken. What a resumed run continues from, and what `status`, the
 * live view and the reports show.
 */
export interface CanaryStageState {
  readonly canaries: readonly string[];
  readonly bakeStartedAt?: string;
  readonly bakeMs?: number;
  /** When the bake ends, whatever happens to dbwave meanwhile (ISO instant). */
  readonly endsAt?: string;
  /** The verdict so far: the worst of the canaries' latest comparisons. */
  readonly verdict?: CanaryCheck['verdict'];
  readonly checks?: readonly CanaryCheck[];
  readonly checkedAt?: string;
  /** How many comparisons the bake made so far. */
  readonly checkCount: number;
  readonly decision?: NonNullable<CanaryRecord['decision']>;
  readonly reason?: string;
  readonly decidedAt?: string;
  readonly rollBack?: readonly string[];
}

/** What a canary record adds to the stage's state (a record as the journal keeps it, or about to). */
export type CanaryFacts = Omit<CanaryRecord, 'v' | 'seq' | 'campaign' | 'kind' | 'wave'>;

/** Folds one canary record into the stage's state. Pure. */
export function applyCanaryRecord(
  previous: CanaryStageState | undefined,
  record: CanaryFacts,
): CanaryStageState {
  const base: CanaryStageState = previous ?? { canaries: record.canaries, checkCount: 0 };
  switch (record.event) {
    case 'bake-started':
      return {
        ...base,
        canaries: record.canaries,
        bakeStartedAt: record.at,
        ...(record.bakeMs === undefined ? {} : { bakeMs: record.bakeMs }),
        ...(record.endsAt === undefined ? {} : { endsAt: record.endsAt }),
      };
    case 'bake-check':
      return {
        ...base,
        ...(record.verdict === undefined ? {} : { verdict: record.verdict }),
        ...(record.checks === undefined ? {} : { checks: record.checks }),
        checkedAt: record.at,
        checkCount: base.checkCount + 1,
      };
    case 'decided':
      return {
        ...base,
        ...(record.verdict === undefined ? {} : { verdict: record.verdict }),
        ...(record.checks === undefined ? {} : { checks: record.checks }),
        ...(record.decision === undefined ? {} : { decision: record.decision }),
        ...(record.reason === undefined ? {} : { reason: record.reason }),
        ...(record.rollBack === undefined ? {} : { rollBack: record.rollBack }),
        decidedAt: record.at,
      };
    default:
      return record.event satisfies never;
  }
}
