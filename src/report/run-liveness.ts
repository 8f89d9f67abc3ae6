import { formatDuration } from '../core/duration.js';
import type { LockInspection } from '../engine/lock/campaign-lock.js';
import type { WaveReport } from './wave-report.js';

/**
 * Why no dbwave run drives a wave that the journal calls in progress, or undefined when one
 * does (or the wave is not in progress). Only the lock tells: its holder's process is gone on
 * this host (`dead`), or another host's holder stopped refreshing its heartbeat (`stale`). A
 * free lock is a run stopped at a safe point (Ctrl-C), which `status` shows as `Lock: free`.
 */
export function runGoneReason(report: WaveReport, lock: LockInspection): string | undefined {
  if (report.status !== 'in-progress') return undefined;
  if (lock.state === 'dead') {
    return `the dbwave run ${lock.owner.user}@${lock.owner.host} pid ${lock.owner.pid} is gone`;
  }
  if (lock.state === 'stale') {
    return `no heartbeat from the dbwave run ${lock.owner.user}@${lock.owner.host} pid ${lock.owner.pid} for ${formatDuration(lock.heartbeatAgeMs)}`;
  }
  return undefined;
}
