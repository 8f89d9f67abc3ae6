import type { CanaryCheck } from '../engine/journal/journal-record.js';
import type { CanaryComparison } from '../engine/ports/canary-comparison.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import type { MetricHistory } from '../engine/ports/metric-history.js';
import type { SqlSession } from '../engine/ports/sql-session.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { type RecheckResult, recheckWave } from './recheck-wave.js';

/**
 * The canary bake's comparison: `dbwave compare`'s recheck of the canaries (a `recheck`
 * sampling of each beside the controls of its baseline still on the old version, journaled, and
 * the InnoDB gate on it), one verdict per canary. The same comparison as `compare`, not a second
 * one.
 */
export function canaryBakeComparison(options: {
  readonly campaign: Campaign;
  readonly wave: number;
  readonly fleet: readonly ResolvedServer[];
  readonly journal: Pick<JournalStore, 'append' | 'read'>;
  readonly sql: (server: ResolvedServer) => Promise<SqlSession>;
  readonly metricHistory?: MetricHistory | undefined;
  readonly clock: Clock;
}): CanaryComparison {
  return async (canaries, signal) => {
    const results = await recheckWave({
      campaign: options.campaign,
      wave: options.wave,
      servers: canaries,
      fleet: options.fleet,
      history: (await options.journal.read()).records,
      journal: options.journal,
      sql: options.sql,
      metricHistory: options.metricHistory,
      clock: options.clock,
      signal,
    });
    return results.map(canaryCheck);
  };
}

/** A recheck as a canary's verdict: a canary that could not be sampled is a fail, one skipped is not judged. */
function canaryCheck(result: RecheckResult): CanaryCheck {
  if ('gate' in result)
    return { server: result.server, verdict: result.gate.verdict, evidence: result.gate.evidence };
  if ('error' in result)
    return { server: result.server, verdict: 'fail', evidence: `could not be compared: ${result.error}` };
  return { server: result.server, verdict: 'inconclusive', evidence: result.skipped };
}
