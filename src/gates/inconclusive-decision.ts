/** What happens to a server whose gate is inconclusive (campaign gates.inconclusive). */
export type InconclusiveAction = 'continue' | 'rollback' | 'pause';

/** The GateRecord `decision`: the action and who chose it. */
export interface InconclusiveDecision {
  readonly action: InconclusiveAction;
  readonly by: 'operator' | 'campaign';
}

/**
 * Asks the DBA at a terminal; resolves undefined when nobody answers (or the prompt is closed),
 * in which case the campaign decides.
 */
export type AskOperator = () => Promise<InconclusiveAction | undefined>;

/**
 * Decides an inconclusive verdict: at a terminal the engine passes `ask` and the DBA chooses
 * (continue, roll back, pause); without one (cron, CI, a closed prompt) the campaign's policy
 * decides. Nothing else: no I/O here, the prompt is the caller's.
 */
export async function decideInconclusive(
  policy: InconclusiveAction,
  ask?: AskOperator,
): Promise<InconclusiveDecision> {
  if (ask !== undefined) {
    const answer = await ask();
    if (answer !== undefined) return { action: answer, by: 'operator' };
  }
  return { action: policy, by: 'campaign' };
}
