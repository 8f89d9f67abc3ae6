import { UsageError } from '../core/errors.js';
import type { ResolvedServer } from './resolved-server.js';

/**
 * `run --only KEY=VALUE` (repeatable): the share of a wave one runner claims, e.g. the servers
 * of its datacenter. A server is selected when it matches every `--only` given; the same key
 * given twice matches either value (`--only datacenter=phx1 --only datacenter=phx2`).
 */

/** The server keys `--only` can match, one table: the flag's help and its errors list them. */
export const SELECTOR_KEYS = ['name', 'class', 'datacenter', 'cluster', 'role', 'shard', 'host'] as const;
export type SelectorKey = (typeof SELECTOR_KEYS)[number];

export type ServerSelector = (server: ResolvedServer) => boolean;

/** The selector of the `--only` values given; a value that is not KEY=VALUE of a known key is exit 2. */
export function serverSelector(only: readonly string[]): ServerSelector {
  const wanted = new Map<SelectorKey, Set<string>>();
  for (const given of only) {
    const equals = given.indexOf('=');
    const key = given.slice(0, Math.max(0, equals));
    const value = given.slice(equals + 1);
    if (equals <= 0 || value === '' || !(SELECTOR_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(
        `--only ${given}: expected KEY=VALUE with KEY one of ${SELECTOR_KEYS.join(', ')} (e.g. --only datacenter=phx1)`,
      );
    }
    const values = wanted.get(key as SelectorKey) ?? new Set<string>();
    values.add(value);
    wanted.set(key as SelectorKey, values);
  }
  return (server) =>
    [...wanted].every(([key, values]) => {
      const actual = server[key];
      return actual !== undefined && values.has(String(actual));
    });
}
