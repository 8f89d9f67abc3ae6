import type { InnodbComparison } from '../../analysis/innodb-comparison.js';
import { innodbGate } from '../../analysis/innodb-gate.js';
import type { GateVerdict } from '../gate-verdict.js';
import { reachableGate } from '../reachable-gate.js';
import { replicationCaughtUpGate } from '../replication-caught-up-gate.js';
import { checkErrorLog } from './error-log-check.js';
import type { GateRunContext, TimedGateVerdict } from './gate-run-context.js';
import { timed } from './gate-run-context.js';
import { waitForReplicationCatchUp } from './replication-probe.js';
import { probeReachable } from './sql-probes.js';

export interface AnalysisGateInput extends GateRunContext {
  /**
   * The server's comparison after the warm-up (compareAfterWarmup); undefined when
   * there is no baseline to compare with (the gate is then inconclusive, never a silent pass).
   */
  readonly innodb: InnodbComparison | undefined;
  /** Why there is no comparison when sampling itself failed (the gate says so, inconclusive). */
  readonly innodbError?: string;
}

/**
 * The analysis gates, after the window, under users' traffic: reachable, error log still clean
 * since this start, replication caught up within gates.replicationTimeout, and the InnoDB
 * comparison (when gates.innodb). compareAfterWarmup (src/analysis/) samples and compares
 * before this runs; the catch-up wait is the only slow part here.
 */
export async function runAnalysisGates(input: AnalysisGateInput): Promise<TimedGateVerdict[]> {
  const { clock } = input;
  const verdicts: TimedGateVerdict[] = [];
  const reachable = await timed(clock, async () => reachableGate(await probeReachable(input.session, clock)));
  verdicts.push(reachable);
  verdicts.push(await timed(clock, () => checkErrorLog(input)));
  if (reachable.verdict !== 'pass') return verdicts;
  verdicts.push(
    await timed(clock, async () =>
      replicationCaughtUpGate(
        await waitForReplicationCatchUp(input.session, {
          clock,
          timeoutMs: input.gates.replicationTimeout,
          maxLagSeconds: Math.floor(input.gates.replicationMaxLag / 1000),
          ...(input.signal === undefined ? {} : { signal: input.signal }),
        }),
        input.server.role,
      ),
    ),
  );
  if (input.gates.innodb) {
    verdicts.push(
      await timed(
        clock,
        async (): Promise<GateVerdict> =>
          input.innodb !== undefined
            ? innodbGate(input.innodb)
            : {
                gate: 'innodb',
                verdict: 'inconclusive',
                evidence:
                  input.innodbError === undefined
                    ? 'no baseline sampling to compare with'
                    : `could not sample: ${input.innodbError}`,
              },
      ),
    );
  }
  return verdicts;
}
