/**
 * What every gate returns: a verdict and the evidence a person reads in the journal and the
 * report. Gates are pure: they judge evidence that probes (gates/probes/) gathered.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** When a gate runs: inside the window (readiness), under traffic after it (analysis), after a rollback. */
export type GatePhase = 'readiness' | 'analysis' | 'rollback';

export interface GateVerdict {
  /** Stable gate name, journaled as GateRecord.gate: `reachable`, `version`, `smoke:NAME`, ... */
  readonly gate: string;
  readonly verdict: Verdict;
  /** One or a few lines: what was seen, never a secret. */
  readonly evidence: string;
}

/** The worst of several verdicts: any fail fails, else any inconclusive, else pass. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}
