import type { JournalStore } from '../ports/journal-store.js';
import type { JournalEntry } from './journal-record.js';

/**
 * Journals a record that need not be durable before the caller goes on, only before the record
 * that follows it (a step's outcome, a gate's verdict): a store that can hold it
 * (`JournalStore.appendLater`) writes it with that next record, in one fsync; any other store
 * appends it now and this resolves once it is durable.
 */
export async function appendWithNext(store: JournalStore, entry: JournalEntry): Promise<void> {
  if (store.appendLater === undefined) {
    await store.append(entry);
    return;
  }
  // Its failure is the failure of the append it goes down with, which that append's caller sees.
  store.appendLater(entry).catch(() => undefined);
}
