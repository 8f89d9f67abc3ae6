import type { EngineEvents } from '../events/engine-events.js';
import type { JournalStore } from '../ports/journal-store.js';
import { appendWithNext } from './append-with-next.js';

/**
 * Writes the engine's events to the journal. Its listeners resolve only once the record is
 * durable, and the engine awaits its emits: so a step's `started` record is on disk before the
 * step's side effect begins. A step's outcome is the exception where the store can hold it
 * (`appendLater`): it is written with the next record, in one fsync. Returns the function that
 * detaches it.
 */
export function attachJournal(events: EngineEvents, store: JournalStore): () => void {
  const detachers = [
    events.on('wave', async ({ at: _at, ...wave }) => {
      await store.append({ kind: 'wave', ...wave });
    }),
    events.on('step', async ({ at: _at, durationMs: _durationMs, ...step }) => {
      const entry = { kind: 'step', ...step } as const;
      // An outcome goes down with the record that follows it (the next step's `started`, the
      // server's outcome), which is durable before anything else happens on the server. Not a
      // window closed on the way out of an interrupted run: no record of that run follows it.
      if (step.event !== 'started' && !closedOnTheWayOut(step)) await appendWithNext(store, entry);
      else await store.append(entry);
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

function closedOnTheWayOut(step: { readonly detail?: object }): boolean {
  return step.detail !== undefined && 'afterInterruption' in step.detail;
}
