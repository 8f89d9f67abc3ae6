import type { InputIssue } from '../core/errors.js';
import { issueAt, type KeyPath, type SourceLocation } from '../core/source-locator.js';
import type { CanarySpec } from '../model/campaign-schema.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import type { Plan, PlannedServer, PlannedWave } from '../model/plan.js';
import { fleetView } from './fleet-view.js';

/** A server's place in replication, as its class file declares it. */
export type ReplicationPlaces = ReadonlyMap<
  string,
  { readonly cluster?: string; readonly role?: 'primary' | 'replica' }
>;

/**
 * Which servers of the first wave are its canaries: the named ones, or the first `perClass` of
 * each hardware class in the wave's execution order (replicas before their primary, classes
 * interleaved), so that the same plan always gives the same canaries. A primary with a replica
 * in the wave is never picked: replicas go before their primary, and they are not all canaries.
 * Pure. In plan order.
 */
export function canaryServers(
  wave: PlannedWave,
  canary: CanarySpec,
  places: ReplicationPlaces = new Map(),
): readonly PlannedServer[] {
  const named = canary.servers;
  if (named !== undefined) return wave.servers.filter((server) => named.includes(server.name));
  const perClass = canary.perClass ?? 0;
  const waiting = primariesWithReplicasIn(wave, places);
  const taken = new Map<string, number>();
  return wave.servers.filter((server) => {
    if (waiting.has(server.name)) return false;
    const count = taken.get(server.class) ?? 0;
    if (count >= perClass) return false;
    taken.set(server.class, count + 1);
    return true;
  });
}

/** The plan's canaries by wave index: only the first wave has any. Empty without a canary stage. */
export function plannedCanaries(
  plan: Plan,
  canary: CanarySpec | undefined,
  classes: readonly HardwareClass[],
): ReadonlyMap<number, readonly string[]> {
  const first = firstWave(plan);
  if (canary === undefined || first === undefined) return new Map();
  const places = fleetView(classes).byName;
  return new Map([[first.index, canaryServers(first, canary, places).map((server) => server.name)]]);
}

/**
 * What is wrong with the campaign's canary stage for this plan: a named server that is not in
 * the first wave (or is a primary whose replicas there are not canaries), a `perClass` larger
 * than the servers of a class that can go first. Each names the campaign file, the key and its
 * line.
 */
export function canaryIssues(
  plan: Plan,
  canary: CanarySpec | undefined,
  classes: readonly HardwareClass[],
  locate: (key: KeyPath) => SourceLocation,
): InputIssue[] {
  const first = firstWave(plan);
  if (canary === undefined || first === undefined) return [];
  const at = (key: KeyPath, message: string): InputIssue => issueAt(locate(key), key, message);
  const waiting = primariesWithReplicasIn(first, fleetView(classes).byName);
  const named = canary.servers;
  if (named !== undefined) {
    const waveOf = new Map(
      plan.waves.flatMap((wave) => wave.servers.map((server) => [server.name, wave.index] as const)),
    );
    return named.flatMap((name, index) => {
      const key = ['canary', 'servers', index];
      const wave = waveOf.get(name);
      if (wave === undefined) return [at(key, `${name} is not a server of the fleet`)];
      if (wave !== first.index)
        return [
          at(
            key,
            `${name} is in wave ${wave}, not in the first wave: a canary must run in wave ${first.index}`,
          ),
        ];
      const replicas = (waiting.get(name) ?? []).filter((replica) => !named.includes(replica));
      if (replicas.length === 0) return [];
      return [
        at(
          key,
          `${name} is a primary whose replica(s) ${replicas.join(', ')} in wave ${first.index} are not canaries: replicas go before their primary, so name them too`,
        ),
      ];
    });
  }
  const perClass = canary.perClass ?? 0;
  const sizes = new Map<string, number>();
  for (const server of first.servers)
    if (!waiting.has(server.name)) sizes.set(server.class, (sizes.get(server.class) ?? 0) + 1);
  const classesInWave = new Set(first.servers.map((server) => server.class));
  return [...classesInWave]
    .map((className) => [className, sizes.get(className) ?? 0] as const)
    .filter(([, size]) => size < perClass)
    .map(([className, size]) =>
      at(
        ['canary', 'perClass'],
        `is ${perClass}, but wave ${first.index} has only ${size} server(s) of class ${className} that can go first (a primary with a replica in the wave cannot): at most ${size}`,
      ),
    );
}

/** The wave's primaries that have replicas of their cluster in the same wave, with those replicas. */
function primariesWithReplicasIn(wave: PlannedWave, places: ReplicationPlaces): Map<string, string[]> {
  const replicas = new Map<string, string[]>();
  for (const server of wave.servers) {
    const place = places.get(server.name);
    if (place?.role === 'replica' && place.cluster !== undefined)
      replicas.set(place.cluster, [...(replicas.get(place.cluster) ?? []), server.name]);
  }
  const waiting = new Map<string, string[]>();
  for (const server of wave.servers) {
    const place = places.get(server.name);
    const own = place?.cluster === undefined ? undefined : replicas.get(place.cluster);
    if (place?.role === 'primary' && own !== undefined) waiting.set(server.name, own);
  }
  return waiting;
}

function firstWave(plan: Plan): PlannedWave | undefined {
  return plan.waves.reduce<PlannedWave | undefined>(
    (first, wave) => (first === undefined || wave.index < first.index ? wave : first),
    undefined,
  );
}
