import { serverVersionIs } from '../model/version-match.js';
import type { GateVerdict } from './gate-verdict.js';

/**
 * The server runs the version it should: `to` after an upgrade, `from` after a rollback.
 * `SELECT VERSION()` must start with it, whole (`10.11.1` is not `10.11.19-MariaDB`).
 * `reported` undefined means it could not be read: inconclusive, not a mismatch.
 */
export function versionGate(reported: string | undefined, expected: string): GateVerdict {
  if (reported === undefined) {
    return {
      gate: 'version',
      verdict: 'inconclusive',
      evidence: `could not read the version (expected ${expected})`,
    };
  }
  return serverVersionIs(reported, expected)
    ? { gate: 'version', verdict: 'pass', evidence: `runs ${reported}` }
    : { gate: 'version', verdict: 'fail', evidence: `runs ${reported}, expected ${expected}` };
}
