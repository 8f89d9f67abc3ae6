import type { ServerOutcome } from '../engine/journal/journal-record.js';
import type { JournalReplay } from '../engine/journal/journal-replay.js';
import type { ResolvedServer } from '../model/resolved-server.js';

/**
 * Outcomes of a server that still runs the old version and is not in flight: fit to be a control
 * (a same-class peer whose InnoDB rates shift with the time of day, not with the upgrade).
 */
export const CONTROL_OUTCOMES: readonly ServerOutcome[] = ['NotExecuted', 'PrecheckFailed', 'RolledBack'];

/** A server's outcome as the journal says; a server the journal never mentions was not executed. */
export function journalOutcome(replay: JournalReplay, server: string): ServerOutcome {
  return replay.servers.get(server)?.outcome ?? 'NotExecuted';
}

/** Whether the journal shows `server` fit to be a control now (see CONTROL_OUTCOMES). */
export function fitAsControl(replay: JournalReplay, server: string): boolean {
  return CONTROL_OUTCOMES.includes(journalOutcome(replay, server));
}

/**
 * The servers that can be `server`'s controls now: the fleet's servers of its hardware class,
 * itself excepted, fit as controls as the journal says. In fleet order.
 */
export function controlCandidates(
  server: ResolvedServer,
  fleet: readonly ResolvedServer[],
  replay: JournalReplay,
): ResolvedServer[] {
  return fleet.filter(
    (candidate) =>
      candidate.class === server.class &&
      candidate.name !== server.name &&
      fitAsControl(replay, candidate.name),
  );
}
