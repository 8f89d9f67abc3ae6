import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { FleetPaths, REPO_ROOT } from '../fleet/fleet-paths.js';
import { mariadbdPid } from '../fleet/fleet-processes.js';
import { type FleetManifest, type FleetServer, readManifest } from '../fleet/manifest.js';
import { bareUpgrade } from './bare-upgrade.js';

/**
 * The local fleet as the bench uses it: found up and healthy, or brought up; put back between
 * phases (every server on the older build, running); left as it was found at the end.
 */

const run = promisify(execFile);
export const BENCH_SERVERS = 6;

/** `npm run fleet -- ARGS`, output to the bench's log. */
export async function fleetCommand(args: readonly string[], log: (line: string) => void): Promise<void> {
  const { stdout } = await run('npx', ['tsx', 'scripts/fleet/main.ts', ...args], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const line of stdout.trim().split('\n').slice(-2)) log(`  fleet: ${line}`);
}

/** Runs a host's control script locally (the hosts are this machine): exit code and stdout. */
export async function fleetctl(
  server: FleetServer,
  subcommand: string,
): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(server.fleetctl, [subcommand]);
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string };
    return { code: typeof failure.code === 'number' ? failure.code : 1, stdout: failure.stdout ?? '' };
  }
}

export interface FleetState {
  readonly manifest: FleetManifest;
  readonly paths: FleetPaths;
  /** Whether a fleet answered before the bench: then it is left up, else taken down. */
  readonly wasUp: boolean;
}

/** Why the fleet that is up cannot be used as it is, or undefined when it can. */
async function unusable(paths: FleetPaths): Promise<string | undefined> {
  if (!existsSync(paths.fleetJson)) return 'no fleet.json';
  const manifest = await readManifest(paths.fleetJson);
  if (manifest.servers.length < BENCH_SERVERS) return `only ${manifest.servers.length} servers`;
  for (const server of manifest.servers) {
    if (mariadbdPid(paths.host(server.name)) === undefined) return `${server.name} is not running`;
    const faults = paths.host(server.name).faults;
    if (existsSync(faults) && readdirSync(faults).length > 0) return `${server.name} has a fault injected`;
    const version = (await fleetctl(server, 'installed-version')).stdout.trim();
    if (version !== manifest.versions.from) return `${server.name} runs ${version}`;
  }
  return undefined;
}

/** Uses the fleet that is up when it is healthy; otherwise brings a fresh 6-server fleet up. */
export async function acquireFleet(log: (line: string) => void): Promise<FleetState> {
  const paths = new FleetPaths();
  const wasUp = existsSync(paths.fleetJson) && (await readManifest(paths.fleetJson)).servers.length > 0;
  const why = await unusable(paths).catch((error: Error) => error.message);
  if (why !== undefined) {
    log(`fleet: ${why}: npm run fleet -- up --servers ${BENCH_SERVERS}`);
    await fleetCommand(['up', '--servers', String(BENCH_SERVERS)], log);
  } else {
    log('fleet: using the fleet that is up');
  }
  return { manifest: await readManifest(paths.fleetJson), paths, wasUp };
}

/** Back on the older build and running, so the next phase starts where the first did. */
export async function restoreServer(fleet: FleetManifest, server: FleetServer): Promise<void> {
  const installed = (await fleetctl(server, 'installed-version')).stdout.trim();
  const running = (await fleetctl(server, 'running')).code === 0;
  if (installed === fleet.versions.from && running) return;
  if (installed !== fleet.versions.from) {
    await bareUpgrade(fleet, server, 'rollback');
    return;
  }
  if ((await fleetctl(server, 'start')).code !== 0) throw new Error(`${server.name}: cannot start it`);
  await waitUntilAnswers(fleet, server);
}

/** Leaves the fleet as the bench found it: up (every server restored) or down. */
export async function releaseFleet(state: FleetState, log: (line: string) => void): Promise<void> {
  if (!state.wasUp) {
    log('fleet: no fleet was up before the bench: npm run fleet -- down');
    await fleetCommand(['down'], log);
    return;
  }
  for (const server of state.manifest.servers) await restoreServer(state.manifest, server);
  log('fleet: left up, every server on the older build and running');
}

export async function sqlConnection(fleet: FleetManifest, server: FleetServer) {
  return createConnection({
    host: server.host,
    port: server.port,
    user: fleet.mysql.user,
    password: fleet.mysql.password,
    connectTimeout: 2_000,
  });
}

export async function waitUntilAnswers(
  fleet: FleetManifest,
  server: FleetServer,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await sqlConnection(fleet, server);
      await connection.query('SELECT 1');
      await connection.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A global status counter (e.g. Innodb_buffer_pool_pages_dirty), or undefined when it does not answer. */
export async function globalStatus(
  fleet: FleetManifest,
  server: FleetServer,
  name: string,
): Promise<number | undefined> {
  try {
    const connection = await sqlConnection(fleet, server);
    try {
      const [rows] = await connection.query('SHOW GLOBAL STATUS LIKE ?', [name]);
      const value = (rows as { Value?: string }[])[0]?.Value;
      return value === undefined ? undefined : Number(value);
    } finally {
      await connection.end();
    }
  } catch {
    return undefined;
  }
}

/** The host's mariadbd pid from its pid file. */
export function mariadbdPidOf(paths: FleetPaths, server: FleetServer): number | undefined {
  return mariadbdPid(paths.host(server.name));
}

/** A detached `npm run fleet -- load --seconds N`; the returned function stops it and its children. */
export function backgroundFleetLoad(seconds: number): () => Promise<void> {
  const child = spawn('npx', ['tsx', 'scripts/fleet/main.ts', 'load', '--seconds', String(seconds)], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  };
}
