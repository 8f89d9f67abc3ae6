import type { JournalRecord } from '../engine/journal/journal-record.js';
import { replayJournal, type ServerJournalState } from '../engine/journal/journal-replay.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { PlannedWave } from '../model/plan.js';
import { versionMatches } from '../model/version-match.js';

/**
 * Whether the journal says a server runs the new version: Upgraded, or NeedsPerson after its
 * verify saw the `to` version (a paused analysis gate, a window that would not close...). A
 * rollback dbwave died in leaves the outcome as it was, so it is found again and resumed.
 */
export function onNewVersion(state: ServerJournalState | undefined, campaign: Campaign): boolean {
  if (state === undefined) return false;
  if (state.outcome === 'Upgraded') return true;
  return (
    state.outcome === 'NeedsPerson' &&
    state.versionAfter !== undefined &&
    versionMatches(state.versionAfter, campaign.to.version)
  );
}

/** The wave's servers to roll back, in plan order: the one named, or every one on the new version. */
export function rollbackTargets(
  wave: PlannedWave,
  records: readonly JournalRecord[],
  campaign: Campaign,
  only?: string,
): string[] {
  const replay = replayJournal(records);
  return wave.servers
    .map((server) => server.name)
    .filter(
      (name) => (only === undefined || name === only) && onNewVersion(replay.servers.get(name), campaign),
    );
}
