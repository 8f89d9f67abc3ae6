import type { GateVerdict } from './gate-verdict.js';

/** What a connection attempt and a `SELECT 1` showed. */
export type Reachability =
  | { readonly reachable: true; readonly latencyMs: number }
  | { readonly reachable: false; readonly error: string };

/** The server answers SQL. Unreachable is a failure: a server users cannot reach is not ready. */
export function reachableGate(seen: Reachability): GateVerdict {
  return seen.reachable
    ? { gate: 'reachable', verdict: 'pass', evidence: `answered SELECT 1 in ${Math.round(seen.latencyMs)}ms` }
    : { gate: 'reachable', verdict: 'fail', evidence: `does not answer SQL: ${seen.error}` };
}
