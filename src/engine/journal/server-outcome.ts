/**
 * Where a server ends up. Every planned server starts `NotExecuted`, so a report is complete
 * even after a failure or a crash.
 */
export const SERVER_OUTCOMES = [
  'NotExecuted',
  'InProgress',
  /** Upgraded, gates passed, window closed. */
  'Upgraded',
  /** Already on the `to` version at precheck: counts as done, nothing touched. */
  'AlreadyUpgraded',
  /** Failed its prechecks: no window was opened and nothing was touched. */
  'PrecheckFailed',
  /** Rolled back to `from` after a failure; healthy on the old version, window closed. */
  'RolledBack',
  /** dbwave stopped short and a person must look: the journal's reason says why. */
  'NeedsPerson',
  /** Past the point of no return: a downgrade would need a user migration. */
  'NeedsUserMigration',
] as const;
export type ServerOutcome = (typeof SERVER_OUTCOMES)[number];

/** Outcomes after which dbwave never touches the server again: every one but the two on the way. */
export const FINAL_OUTCOMES: readonly ServerOutcome[] = SERVER_OUTCOMES.filter(
  (outcome) => outcome !== 'NotExecuted' && outcome !== 'InProgress',
);

export function isFinalOutcome(outcome: ServerOutcome): boolean {
  return FINAL_OUTCOMES.includes(outcome);
}
