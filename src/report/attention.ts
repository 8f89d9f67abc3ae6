import { personReason, serversNeedingPerson } from './status-update.js';
import type { WaveReport } from './wave-report.js';

/**
 * Something a person must act on: a server that needs one, or the run itself gone. The unit that
 * PagerDuty incidents and the JSON stream's `needs-person` / `resolved` events are made of.
 */
export interface Attention {
  /** Stable per server (or per run) across broadcasts and processes: PagerDuty's dedup_key. */
  readonly key: string;
  readonly campaign: string;
  readonly wave: number;
  /** The server; absent when it is the run that is gone. */
  readonly server?: string;
  readonly reason: string;
}

/** What changed between two broadcasts: newly raised, and no longer needing a person. */
export interface AttentionChanges {
  readonly raised: readonly Attention[];
  readonly resolved: readonly Attention[];
}

/** The dedup key of a server: one incident per server of a campaign, whichever wave it is in. */
export function serverAttentionKey(campaign: string, server: string): string {
  return `dbwave/${campaign}/server/${server}`;
}

/** The dedup key of a campaign's run being gone. */
export function runAttentionKey(campaign: string): string {
  return `dbwave/${campaign}/run`;
}

/** Everything that needs a person now: each server that does, and the run if it is gone. */
export function attentionNeeded(report: WaveReport, runGone: string | undefined): Attention[] {
  const needed: Attention[] = serversNeedingPerson(report).map((server) => ({
    key: serverAttentionKey(report.campaign, server.name),
    campaign: report.campaign,
    wave: report.wave,
    server: server.name,
    reason: personReason(server),
  }));
  if (runGone !== undefined) {
    needed.push({
      key: runAttentionKey(report.campaign),
      campaign: report.campaign,
      wave: report.wave,
      reason: runGone,
    });
  }
  return needed;
}

/**
 * What was raised and what was resolved since `previous` (undefined for the first broadcast of
 * a process: everything needing a person now is raised, nothing is resolved, since this process
 * cannot know what an earlier one raised).
 */
export function attentionChanges(
  previous: readonly Attention[] | undefined,
  current: readonly Attention[],
): AttentionChanges {
  const before = new Set((previous ?? []).map((attention) => attention.key));
  const now = new Set(current.map((attention) => attention.key));
  return {
    raised: current.filter((attention) => !before.has(attention.key)),
    resolved: (previous ?? []).filter((attention) => !now.has(attention.key)),
  };
}
