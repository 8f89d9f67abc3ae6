import { type ServerCrashes, serverCrashes } from '../analysis/crash-count.js';
import type { JournalRecord } from '../engine/journal/journal-record.js';
import type { CrashClassEntry, CrashReport } from './wave-report.js';

/**
 * "Did the upgrade end the crashes?" as a table: per hardware class, the crashes the servers'
 * error logs told of before the campaign (read at precheck) and the restarts dbwave did not do
 * since each server's upgrade (seen between samplings), each with how long it covers. Undefined
 * when no server of the wave has either yet. Pure: the wave's records and the plan's classes.
 */
export function buildCrashReport(
  records: readonly JournalRecord[],
  servers: readonly { readonly name: string; readonly class?: string }[],
): CrashReport | undefined {
  const classes = new Map<string, CrashClassEntry['servers'][number][]>();
  for (const server of servers) {
    const crashes: ServerCrashes = serverCrashes(records, server.name);
    if (crashes.before === undefined && crashes.sinceUpgrade === undefined) continue;
    const key = server.class ?? 'unknown';
    classes.set(key, [...(classes.get(key) ?? []), { server: server.name, ...crashes }]);
  }
  if (classes.size === 0) return undefined;
  return {
    classes: [...classes.entries()].map(([name, rows]): CrashClassEntry => {
      const before = rows.flatMap((row) => (row.before === undefined ? [] : [row.before]));
      const since = rows.flatMap((row) => (row.sinceUpgrade === undefined ? [] : [row.sinceUpgrade]));
      return {
        class: name,
        servers: rows,
        before: {
          servers: before.length,
          crashes: sum(before.map((entry) => entry.crashes)),
          ...longest(
            before.flatMap((entry) => (entry.from === undefined ? [] : [span(entry.from, entry.to)])),
          ),
        },
        sinceUpgrade: {
          servers: since.length,
          unplannedRestarts: sum(since.map((entry) => entry.unplannedRestarts)),
          ...longest(since.map((entry) => span(entry.from, entry.to))),
        },
      };
    }),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function span(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** The longest time a server of the class is known for: what "over how long" means for the class. */
function longest(spans: readonly number[]): { overMs?: number } {
  return spans.length === 0 ? {} : { overMs: Math.max(...spans) };
}
