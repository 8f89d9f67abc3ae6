import { soakPointLabel } from '../../core/duration.js';
import type { SoakPointStatus } from './soak-schedule.js';
import type { WaveOrderRefusal } from './wave-order.js';

/** What decides whether a wave's soak lets the next wave begin, besides its points. */
export interface SoakGatePolicy {
  /** Whether an inconclusive server holds the next wave: the campaign's `gates.inconclusive` is not `continue`. */
  readonly inconclusiveHolds: boolean;
  /**
   * Whether the server still runs the new version as the journal says (outcome Upgraded): a
   * server rolled back since its soak failed no longer holds the next wave.
   */
  readonly stillUpgraded: (server: string) => boolean;
}

/**
 * Why a wave's soak keeps the next wave from beginning. A failed point of any kind stops it (a
 * server that compares worse hours later is what soak is for); a gating point not yet taken,
 * or missed, holds it; an inconclusive server holds it unless the campaign says continue. Pure.
 */
export function soakRefusals(
  wave: number,
  points: readonly SoakPointStatus[],
  policy: SoakGatePolicy,
): WaveOrderRefusal[] {
  const withVerdict = (verdict: 'fail' | 'inconclusive'): string[] => [
    ...new Set(
      points.flatMap((point) =>
        point.servers
          .filter((server) => server.verdict === verdict && policy.stillUpgraded(server.server))
          .map((server) => server.server),
      ),
    ),
  ];
  const failed = withVerdict('fail');
  const inconclusive = policy.inconclusiveHolds
    ? withVerdict('inconclusive').filter((server) => !failed.includes(server))
    : [];
  const gating = points.filter((point) => point.gates);
  const pending = gating.filter((point) => ['waiting', 'due', 'interrupted'].includes(point.state));
  const missed = gating.filter((point) => point.state === 'missed');
  const refusals: WaveOrderRefusal[] = [];
  if (failed.length > 0) refusals.push({ kind: 'soak-failed', wave, servers: failed });
  if (inconclusive.length > 0) refusals.push({ kind: 'soak-inconclusive', wave, servers: inconclusive });
  if (pending.length > 0)
    refusals.push({
      kind: 'soak-pending',
      wave,
      points: pending.map((point) => ({ point: soakPointLabel(point.pointMs), dueAt: point.dueAt })),
    });
  if (missed.length > 0)
    refusals.push({
      kind: 'soak-missed',
      wave,
      points: missed.map((point) => soakPointLabel(point.pointMs)),
    });
  return refusals;
}
