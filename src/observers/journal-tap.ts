import type { JournalRecord } from '../engine/journal/journal-record.js';
import type { JournalStore } from '../engine/ports/journal-store.js';

/**
 * The journal store, unchanged, that also hands every record it made durable to `onRecord`:
 * metrics and other views see exactly what the journal holds (gates and stats included), in
 * journal order, and only once it is on disk. A listener that throws is ignored: a view never
 * fails a step.
 */
export function tapJournal<Store extends JournalStore>(
  store: Store,
  onRecord: (record: JournalRecord) => void,
): Store {
  const seen = (record: JournalRecord): JournalRecord => {
    try {
      onRecord(record);
    } catch {
      // A view's bug must not turn into a failed step.
    }
    return record;
  };
  const append: JournalStore['append'] = async (entry) => seen(await store.append(entry));
  const appendLater = store.appendLater;
  const later: JournalStore['appendLater'] =
    appendLater === undefined ? undefined : async (entry) => seen(await appendLater.call(store, entry));
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      if (property === 'appendLater') return later;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
