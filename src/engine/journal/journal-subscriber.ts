import type { EngineEvents } from '../events/engine-events.js';
import type { JournalStore } from '../ports/journal-store.js';

/**
 * Writes the engine's events to the journal. Its listeners resolve only once the record is
 * durable, and the engine awaits its emits: so a step's `started` record is on disk before the
 * step's side effect begins. Returns the function that detaches it.
 */
export function attachJournal(events: EngineEvents, store: JournalStore): () => void {
  const detachers = [
    events.on('wave', async ({ at: _at, ...wave }) => {
      await store.append({ kind: 'wave', ...wave });
    }),
    events.on('step', async ({ at: _at, durationMs: _durationMs, ...step }) => {
      await store.append({ kind: 'step', ...step });
    }),
    events.on('outcome', async ({ at: _at, ...outcome }) => {
      await store.append({ kind: 'outcome', ...outcome });
    }),
    events.on('alert', async ({ at: _at, ...alert }) => {
      await store.append({ kind: 'alert', ...alert });
    }),
    events.on('canary', async ({ at: _at, ...canary }) => {
      await store.append({ kind: 'canary', ...canary });
    }),
    events.on('progress', async ({ at: _at, journal, elapsedMs: _elapsed, ...progress }) => {
      if (journal) await store.append({ kind: 'progress', ...progress });
    }),
  ];
  return () => {
    for (const detach of detachers) detach();
  };
}
