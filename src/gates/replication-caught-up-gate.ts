import type { GateVerdict } from './gate-verdict.js';
import {
  channelRunning,
  describeChannel,
  type ReplicationObservation,
  type ReplicationRole,
} from './replication-status.js';

export interface CatchUpObservation {
  /** The last status the probe read, when it stopped waiting. */
  readonly last: ReplicationObservation;
  /** How long the probe waited for the lag to come down. */
  readonly waitedMs: number;
  /** campaign gates.replicationTimeout. */
  readonly timeoutMs: number;
  /** Lag, in seconds, that counts as caught up (campaign gates.replicationMaxLag). */
  readonly maxLagSeconds: number;
}

/**
 * Analysis: a replica has caught up with its primary within the campaign's timeout, under
 * traffic. Threads stopped fail; a lag the server cannot tell (NULL while the threads run) is
 * inconclusive.
 */
export function replicationCaughtUpGate(seen: CatchUpObservation, role: ReplicationRole): GateVerdict {
  const gate = 'replication-caught-up';
  const { last } = seen;
  if (!last.readable)
    return { gate, verdict: 'inconclusive', evidence: `could not read replica status: ${last.error}` };
  if (last.channels.length === 0) {
    return role === 'replica'
      ? { gate, verdict: 'fail', evidence: 'the inventory says replica, but no replication is configured' }
      : { gate, verdict: 'pass', evidence: 'not a replica' };
  }
  const evidence = `${last.channels.map(describeChannel).join('; ')} after ${Math.round(seen.waitedMs / 1000)}s`;
  if (!last.channels.every(channelRunning)) return { gate, verdict: 'fail', evidence };
  if (last.channels.some((channel) => channel.secondsBehind === null)) {
    return { gate, verdict: 'inconclusive', evidence };
  }
  const caughtUp = last.channels.every(
    (channel) => channel.secondsBehind !== null && channel.secondsBehind <= seen.maxLagSeconds,
  );
  if (caughtUp) return { gate, verdict: 'pass', evidence: `caught up: ${evidence}` };
  return {
    gate,
    verdict: 'fail',
    evidence: `not caught up within ${Math.round(seen.timeoutMs / 1000)}s (max lag ${seen.maxLagSeconds}s): ${evidence}`,
  };
}
