import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetServer } from '../fleet/manifest.js';
import type { FleetState } from './bench-fleet.js';
import { mariadbdPidOf } from './bench-fleet.js';
import { type DbwaveRun, runDbwave, watchExit } from './dbwave-process.js';
import { type ServerTimings, serverTimings } from './journal-timings.js';

/**
 * One `dbwave run` of a planned wave on the fleet, with every server's mariadbd watched (every
 * 20 ms) so that the journal's "clean exit noticed" can be compared with the real exit.
 */

export interface WatchedRun {
  readonly run: DbwaveRun;
  readonly timings: ReadonlyMap<string, ServerTimings>;
  /** journal shutdown `succeeded` minus the process's real exit, ms, per server. */
  readonly noticeLagMs: ReadonlyMap<string, number>;
}

export async function watchedRun(
  state: FleetState,
  planFile: string,
  servers: readonly FleetServer[],
  stateDir?: string,
): Promise<WatchedRun> {
  const watchers = new Map(
    servers.flatMap((server) => {
      const pid = mariadbdPidOf(state.paths, server);
      return pid === undefined ? [] : [[server.name, watchExit(pid)] as const];
    }),
  );
  const exitedAt = new Map<string, number>();
  for (const [name, watcher] of watchers) void watcher.exited.then((at) => exitedAt.set(name, at));
  const run = await runDbwave(planFile, stateDir ?? (await newStateDir()));
  for (const watcher of watchers.values()) watcher.stop();
  const timings = new Map<string, ServerTimings>();
  const noticeLagMs = new Map<string, number>();
  for (const server of servers) {
    const timing = serverTimings(run.records, server.name);
    if (!timing) continue;
    timings.set(server.name, timing);
    const exited = exitedAt.get(server.name);
    if (exited !== undefined && timing.shutdownSucceededAt !== undefined)
      noticeLagMs.set(server.name, timing.shutdownSucceededAt - exited);
  }
  return { run, timings, noticeLagMs };
}

/** A fresh state dir: every bench run has its own journal, so no earlier run is resumed. */
export function newStateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dbwave-bench-state-'));
}

/** Why a run did not upgrade every server, with the journal's failures, or undefined. */
export function runProblem(watched: WatchedRun, servers: readonly FleetServer[]): string | undefined {
  const missing = servers.filter((server) => !watched.timings.has(server.name)).map((server) => server.name);
  if (watched.run.exitCode === 0 && missing.length === 0) return undefined;
  const failures = watched.run.records
    .filter((record) => (record.kind === 'step' && record.event === 'failed') || record.kind === 'outcome')
    .map((record) => JSON.stringify(record))
    .slice(-6);
  return [
    `dbwave run exited ${watched.run.exitCode}; no complete window for: ${missing.join(', ') || 'none'}`,
    `state dir: ${watched.run.stateDir}`,
    ...failures,
    watched.run.outputTail.split('\n').slice(-8).join('\n'),
  ].join('\n');
}
