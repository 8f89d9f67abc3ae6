import type { GateVerdict } from '../gate-verdict.js';
import { reachableGate } from '../reachable-gate.js';
import { replicationRunningGate } from '../replication-running-gate.js';
import { smokeQueryGate } from '../smoke-query-gate.js';
import { versionGate } from '../version-gate.js';
import { checkErrorLog } from './error-log-check.js';
import type { GateRunContext, TimedGateVerdict } from './gate-run-context.js';
import { timed } from './gate-run-context.js';
import { readReplicationStatus } from './replication-probe.js';
import { probeReachable, readServerVersion, runSmokeQuery } from './sql-probes.js';

/**
 * The readiness gates, inside the 503 window, reported in order: reachable, version, error log clean
 * since this start, replication running (replicas), then each smoke query. Quick by design: no
 * waiting, each probe one or two round trips. A server that does not answer SQL gets only the
 * error-log gate beside its failure (the log says why it does not answer).
 *
 * The engine journals each verdict as a GateRecord (phase `readiness`, or `rollback` when it
 * re-runs them with `expectedVersion` = from.version after a rollback).
 */
export async function runReadinessGates(context: GateRunContext): Promise<TimedGateVerdict[]> {
  const { clock } = context;
  const verdicts: TimedGateVerdict[] = [];
  const reachable = await timed(clock, async () =>
    reachableGate(await probeReachable(context.session, clock)),
  );
  verdicts.push(reachable);
  if (reachable.verdict !== 'pass') {
    verdicts.push(await timed(clock, () => checkErrorLog(context)));
    return verdicts;
  }
  // Independent probes, run together: the error log comes over SSH while the SQL probes run, and
  // every millisecond here is inside the users' 503 window. Verdicts keep their order.
  const rest = await Promise.all([
    timed(clock, async () => versionGate(await readServerVersion(context.session), context.expectedVersion)),
    timed(clock, () => checkErrorLog(context)),
    timed(clock, async () =>
      replicationRunningGate(await readReplicationStatus(context.session), context.server.role),
    ),
    ...context.gates.smokeQueries.map((query) =>
      timed(clock, async (): Promise<GateVerdict> => {
        const result = await runSmokeQuery(context.session, query, clock);
        return smokeQueryGate(result, query.expect === undefined ? { name: query.name } : query);
      }),
    ),
  ]);
  verdicts.push(...rest);
  return verdicts;
}
