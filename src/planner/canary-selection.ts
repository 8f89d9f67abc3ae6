import type { InputIssue } from '../core/errors.js';
import { issueAt, type KeyPath, type SourceLocation } from '../core/source-locator.js';
import type { CanarySpec } from '../model/campaign-schema.js';
import type { Plan, PlannedServer, PlannedWave } from '../model/plan.js';

/**
 * Which servers of the first wave are its canaries: the named ones, or the first `perClass` of
 * each hardware class in the wave's execution order (replicas before their primary, classes
 * interleaved), so that the same plan always gives the same canaries. Pure. In plan order.
 */
export function canaryServers(wave: PlannedWave, canary: CanarySpec): readonly PlannedServer[] {
  const named = canary.servers;
  if (named !== undefined) return wave.servers.filter((server) => named.includes(server.name));
  const perClass = canary.perClass ?? 0;
  const taken = new Map<string, number>();
  return wave.servers.filter((server) => {
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
): ReadonlyMap<number, readonly string[]> {
  const first = firstWave(plan);
  if (canary === undefined || first === undefined) return new Map();
  return new Map([[first.index, canaryServers(first, canary).map((server) => server.name)]]);
}

/**
 * What is wrong with the campaign's canary stage for this plan: a named server that is not in
 * the first wave, a `perClass` larger than a class's share of the first wave. Each names the
 * campaign file, the key and its line.
 */
export function canaryIssues(
  plan: Plan,
  canary: CanarySpec | undefined,
  locate: (key: KeyPath) => SourceLocation,
): InputIssue[] {
  const first = firstWave(plan);
  if (canary === undefined || first === undefined) return [];
  const at = (key: KeyPath, message: string): InputIssue => issueAt(locate(key), key, message);
  if (canary.servers !== undefined) {
    const inWave = new Set(first.servers.map((server) => server.name));
    const waveOf = new Map(
      plan.waves.flatMap((wave) => wave.servers.map((server) => [server.name, wave.index])),
    );
    return canary.servers.flatMap((name, index) => {
      if (inWave.has(name)) return [];
      const wave = waveOf.get(name);
      return [
        at(
          ['canary', 'servers', index],
          wave === undefined
            ? `${name} is not a server of the fleet`
            : `${name} is in wave ${wave}, not in the first wave: a canary must run in wave ${first.index}`,
        ),
      ];
    });
  }
  const perClass = canary.perClass ?? 0;
  const sizes = new Map<string, number>();
  for (const server of first.servers) sizes.set(server.class, (sizes.get(server.class) ?? 0) + 1);
  return [...sizes]
    .filter(([, size]) => size < perClass)
    .map(([className, size]) =>
      at(
        ['canary', 'perClass'],
        `is ${perClass}, but wave ${first.index} has only ${size} server(s) of class ${className}: at most ${size}`,
      ),
    );
}

function firstWave(plan: Plan): PlannedWave | undefined {
  return plan.waves.reduce<PlannedWave | undefined>(
    (first, wave) => (first === undefined || wave.index < first.index ? wave : first),
    undefined,
  );
}
