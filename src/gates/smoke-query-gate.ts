import type { GateVerdict } from './gate-verdict.js';

/** What one smoke query returned: its first row's first column as text, or the error. */
export type SmokeQueryResult =
  | {
      readonly name: string;
      readonly ok: true;
      readonly firstValue: string | undefined;
      readonly rows: number;
      readonly durationMs: number;
    }
  | { readonly name: string; readonly ok: false; readonly error: string; readonly durationMs: number };

export interface SmokeQueryExpectation {
  readonly name: string;
  /** Expected first column of the first row, as text; undefined when success is enough. */
  readonly expect?: string;
}

/**
 * One campaign smoke query (gate `smoke:NAME`): it ran, and its first value is the expected
 * one. NULL reads as the text `NULL`; no rows at all never equal an expectation.
 */
export function smokeQueryGate(result: SmokeQueryResult, expectation: SmokeQueryExpectation): GateVerdict {
  const gate = `smoke:${expectation.name}`;
  const took = `${Math.round(result.durationMs)}ms`;
  if (!result.ok) return { gate, verdict: 'fail', evidence: `failed after ${took}: ${result.error}` };
  const shown = result.firstValue === undefined ? 'no rows' : JSON.stringify(result.firstValue);
  if (expectation.expect === undefined) {
    return { gate, verdict: 'pass', evidence: `ran in ${took}: ${result.rows} row(s), first value ${shown}` };
  }
  return result.firstValue === expectation.expect
    ? { gate, verdict: 'pass', evidence: `returned ${shown} as expected in ${took}` }
    : {
        gate,
        verdict: 'fail',
        evidence: `returned ${shown}, expected ${JSON.stringify(expectation.expect)}`,
      };
}
