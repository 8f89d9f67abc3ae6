/**
 * Names the phases of a command (`parse`, `validate`, `plan`, `output`) on the platform's
 * performance timeline, so that a measurement can say where a command's time went without the
 * command printing anything: an entry costs a microsecond and nothing reads it unless a tool asks
 * (the plan bench loads `scripts/bench/phase-report.mjs` with `node --import`, which sums them).
 */

/** The phases the plan bench reports, in the order a command goes through them. */
export type CommandPhase = 'parse' | 'validate' | 'plan' | 'output';

/** Entries are named `dbwave:<phase>`; a tool sums the durations of each name. */
export const PHASE_ENTRY_PREFIX = 'dbwave:';

/** Runs `work` and records its duration as one entry of `phase`. */
export function timePhase<T>(phase: CommandPhase, work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    performance.measure(`${PHASE_ENTRY_PREFIX}${phase}`, { start, end: performance.now() });
  }
}

/** {@link timePhase} for asynchronous work: the entry spans until its promise settles. */
export async function timePhaseAsync<T>(phase: CommandPhase, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    performance.measure(`${PHASE_ENTRY_PREFIX}${phase}`, { start, end: performance.now() });
  }
}
