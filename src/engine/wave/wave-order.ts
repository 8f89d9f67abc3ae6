import type { PlannedWave } from '../../model/plan.js';
import type { JournalReplay } from '../journal/journal-replay.js';
import type { ServerOutcome } from '../journal/server-outcome.js';

/**
 * Waves run in order: wave N may begin only once wave N-1 is done and healthy enough to build
 * on (seed 004: steps that must happen in order are made to happen in order). Pure: the plan's
 * waves and the journal's replay in, the reasons to refuse out.
 */

/**
 * Why wave N may not begin yet: one entry per thing wrong with the wave before it. A union
 * over `kind`, so that a new reason (a soak that has not passed) is one more member.
 */
export type WaveOrderRefusal =
  /** The journal has no record of the previous wave. */
  | { readonly kind: 'never-run'; readonly wave: number }
  /** Started and not finished: running now, or dbwave stopped without a `finished` record. */
  | { readonly kind: 'unfinished'; readonly wave: number; readonly since: string }
  /** The previous wave halted (failure budget, an operator, a journal that could not be written). */
  | { readonly kind: 'halted'; readonly wave: number; readonly reason?: string }
  /** Servers of the previous wave without a final outcome (another day of it, or left in flight). */
  | { readonly kind: 'servers-not-done'; readonly wave: number; readonly servers: readonly string[] }
  /** Servers of the previous wave that a person must look at, or that need a user migration. */
  | {
      readonly kind: 'needs-person' | 'needs-user-migration';
      readonly wave: number;
      readonly servers: readonly string[];
    }
  /** A soak point of the previous wave failed: these servers compared worse hours after (soak-gate.ts). */
  | { readonly kind: 'soak-failed'; readonly wave: number; readonly servers: readonly string[] }
  /** Soak points with inconclusive servers, where the campaign's `gates.inconclusive` is not continue. */
  | { readonly kind: 'soak-inconclusive'; readonly wave: number; readonly servers: readonly string[] }
  /** Gating soak points not taken yet: when each is due. */
  | {
      readonly kind: 'soak-pending';
      readonly wave: number;
      readonly points: readonly { readonly point: string; readonly dueAt: string }[];
    }
  /** Gating soak points that nothing took within the tolerance. */
  | { readonly kind: 'soak-missed'; readonly wave: number; readonly points: readonly string[] };

/** The outcomes that leave the previous wave waiting for a person: what they are called in a refusal. */
const BLOCKING_OUTCOMES: ReadonlyMap<ServerOutcome, 'needs-person' | 'needs-user-migration'> = new Map([
  ['NeedsPerson', 'needs-person'],
  ['NeedsUserMigration', 'needs-user-migration'],
]);

/**
 * Why wave `index` may not begin: empty when it may. The first wave has no predecessor. A
 * wave the journal already knows is a resume and is never refused: it began when the order
 * allowed it (or under an override), and refusing its resume would leave its servers half-done
 * (a window open, a server between versions). Rollback never asks.
 */
export function waveOrderRefusals(
  waves: readonly PlannedWave[],
  index: number,
  replay: JournalReplay,
  soak: (wave: number) => readonly WaveOrderRefusal[] = () => [],
): WaveOrderRefusal[] {
  if (replay.waves.has(index)) return [];
  const previous = waves
    .filter((wave) => wave.index < index)
    .reduce<PlannedWave | undefined>(
      (latest, wave) => (latest === undefined || wave.index > latest.index ? wave : latest),
      undefined,
    );
  if (previous === undefined) return [];
  const state = replay.waves.get(previous.index);
  if (state === undefined) return [{ kind: 'never-run', wave: previous.index }];

  const refusals: WaveOrderRefusal[] = [];
  if (state.status === 'running')
    refusals.push({ kind: 'unfinished', wave: previous.index, since: state.startedAt });
  if (state.status === 'halted')
    refusals.push({
      kind: 'halted',
      wave: previous.index,
      ...(state.reason === undefined ? {} : { reason: state.reason }),
    });
  const outcomeOf = (name: string): ServerOutcome => replay.servers.get(name)?.outcome ?? 'NotExecuted';
  const names = previous.servers.map((server) => server.name);
  const notDone = names.filter((name) => ['NotExecuted', 'InProgress'].includes(outcomeOf(name)));
  if (notDone.length > 0) refusals.push({ kind: 'servers-not-done', wave: previous.index, servers: notDone });
  for (const [outcome, kind] of BLOCKING_OUTCOMES) {
    const servers = names.filter((name) => outcomeOf(name) === outcome);
    if (servers.length > 0) refusals.push({ kind, wave: previous.index, servers });
  }
  refusals.push(...soak(previous.index));
  return refusals;
}

/** How many server names a refusal lists before it says how many more there are. */
const LISTED_SERVERS = 5;

function serverList(servers: readonly string[]): string {
  const shown = servers.slice(0, LISTED_SERVERS).join(', ');
  return servers.length > LISTED_SERVERS ? `${shown} (+${servers.length - LISTED_SERVERS} more)` : shown;
}

/** One refusal as a person reads it: what is wrong with which wave. */
export function describeRefusal(refusal: WaveOrderRefusal): string {
  switch (refusal.kind) {
    case 'never-run':
      return `wave ${refusal.wave} has never run`;
    case 'unfinished':
      return `wave ${refusal.wave} is still running or was interrupted (started ${refusal.since}, not finished)`;
    case 'halted':
      return `wave ${refusal.wave} halted${refusal.reason === undefined ? '' : ` (${refusal.reason})`}`;
    case 'servers-not-done':
      return `wave ${refusal.wave} has ${refusal.servers.length} server(s) not done: ${serverList(refusal.servers)}`;
    case 'needs-person':
      return `wave ${refusal.wave} has ${refusal.servers.length} server(s) that need a person: ${serverList(refusal.servers)}`;
    case 'needs-user-migration':
      return `wave ${refusal.wave} has ${refusal.servers.length} server(s) that need a user migration: ${serverList(refusal.servers)}`;
    case 'soak-failed':
      return `wave ${refusal.wave} failed its soak: ${serverList(refusal.servers)} compared worse than before the upgrade`;
    case 'soak-inconclusive':
      return `wave ${refusal.wave} has an inconclusive soak (gates.inconclusive is not continue): ${serverList(refusal.servers)}`;
    case 'soak-pending':
      return `wave ${refusal.wave} has not passed its soak yet: ${refusal.points.map((point) => `${point.point} due ${point.dueAt}`).join(', ')}`;
    case 'soak-missed':
      return `wave ${refusal.wave} missed soak point(s) ${refusal.points.join(', ')} (nothing was running to take them)`;
    default:
      return refusal satisfies never;
  }
}
