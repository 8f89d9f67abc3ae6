import { controlCandidates } from '../analysis/control-servers.js';
import { appendWithNext } from '../engine/journal/append-with-next.js';
import type { JournalRecord, StatsRecord } from '../engine/journal/journal-record.js';
import { replayJournal } from '../engine/journal/journal-replay.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import type { StatsAndGatesPorts } from '../gates/probes/stats-and-gates-hooks.js';
import type { ServerResolver } from '../model/resolve-server.js';

/**
 * The stats and gates hooks' ports over the run's own journal: `store` must be the very store
 * the engine's journal subscriber appends to, so that stats and gate records take their `seq`
 * from the same counter as the step records. Controls are same-class servers still on the old
 * version and not in flight, as the journal says now.
 */
export function statsAndGatesPorts(options: {
  readonly store: JournalStore;
  readonly resolver: ServerResolver;
  readonly sql: StatsAndGatesPorts['sql'];
  readonly ask?: StatsAndGatesPorts['ask'] | undefined;
  readonly metricHistory?: StatsAndGatesPorts['metricHistory'];
}): StatsAndGatesPorts {
  const { store, resolver } = options;
  return {
    record: (entry) => {
      // A gate's verdict is evidence for its step's outcome: it goes down with that outcome and
      // the record after it (before anything the verdict leads to), at no fsync of its own
      // inside the window. A crash before then loses both, and the gates run again.
      if (entry.kind === 'gate') return appendWithNext(store, entry);
      return store.append(entry);
    },
    sql: options.sql,
    statsFor: async (name) =>
      (await store.read()).records.filter(
        (record: JournalRecord): record is StatsRecord =>
          record.kind === 'stats' && (record.server === name || record.controlFor === name),
      ),
    controlsFor: async (server) =>
      controlCandidates(server, resolver.all(), replayJournal((await store.read()).records)),
    ...(options.ask === undefined ? {} : { ask: options.ask }),
    ...(options.metricHistory === undefined ? {} : { metricHistory: options.metricHistory }),
  };
}
