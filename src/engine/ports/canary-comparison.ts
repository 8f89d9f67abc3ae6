import type { ResolvedServer } from '../../model/resolved-server.js';
import type { CanaryCheck } from '../journal/journal-record.js';

/**
 * Compares the canaries, upgraded, with same-class servers still on the old version, now: one
 * verdict per canary (the analysis gates' InnoDB comparison against its baseline and its
 * controls). Journals its own samplings; never throws for a server it could not sample (that
 * canary's verdict says so).
 */
export type CanaryComparison = (
  canaries: readonly ResolvedServer[],
  signal: AbortSignal,
) => Promise<readonly CanaryCheck[]>;
