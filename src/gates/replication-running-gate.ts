import type { GateVerdict } from './gate-verdict.js';
import {
  channelRunning,
  describeChannel,
  type ReplicationObservation,
  type ReplicationRole,
} from './replication-status.js';

/**
 * Readiness: a replica's IO and SQL threads both run again after its start. A server with no
 * replication passes, unless the inventory says it is a replica. `Connecting` (the IO thread
 * still reaching its primary) is inconclusive rather than failed: a readiness gate has seconds,
 * and the analysis gate's catch-up wait will tell.
 */
export function replicationRunningGate(seen: ReplicationObservation, role: ReplicationRole): GateVerdict {
  const gate = 'replication-running';
  if (!seen.readable)
    return { gate, verdict: 'inconclusive', evidence: `could not read replica status: ${seen.error}` };
  if (seen.channels.length === 0) {
    return role === 'replica'
      ? { gate, verdict: 'fail', evidence: 'the inventory says replica, but no replication is configured' }
      : { gate, verdict: 'pass', evidence: 'not a replica' };
  }
  const evidence = seen.channels.map(describeChannel).join('; ');
  if (seen.channels.every(channelRunning)) return { gate, verdict: 'pass', evidence };
  const stopped = seen.channels.some((channel) => channel.ioRunning === 'No' || channel.sqlRunning === 'No');
  return { gate, verdict: stopped ? 'fail' : 'inconclusive', evidence };
}
