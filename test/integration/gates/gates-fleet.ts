import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/fleet/fleet-paths.js';
import { serversState } from '../../../scripts/fleet/haproxy.js';
import type { FleetManifest, FleetServer } from '../../../scripts/fleet/manifest.js';
import { queryOne, sql } from '../fleet/fleet-fixture.js';

/**
 * What the gates' integration tests share beyond the engine's helpers: users' load on the fleet
 * while a wave runs, a table of known rows to prove data survives, and the window as users and
 * HAProxy see it.
 */

/** The database and table the tests own on every server (load never writes to it). */
const PROBE_DB = 'dbwave_gates_it';

export interface RunningLoad {
  /** Stops sysbench and the HTTP clients (the whole process group this test started). */
  stop(): Promise<void>;
}

/** `npm run fleet -- load --seconds N` in its own process group, for at most `seconds`. */
export function startLoad(seconds: number): RunningLoad {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'fleet', 'main.ts'), 'load', '--seconds', String(seconds)],
    { cwd: REPO_ROOT, stdio: 'ignore', detached: true },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
      await exited;
    },
  };
}

/** Creates (once) a table of fixed rows on a server and returns its CHECKSUM TABLE. */
export async function seedProbeTable(fleet: FleetManifest, target: FleetServer): Promise<string> {
  const connection = await sql(fleet, target);
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${PROBE_DB}`);
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${PROBE_DB}.rows_kept (id INT PRIMARY KEY, payload VARCHAR(64) NOT NULL) ENGINE=InnoDB`,
    );
    const values = Array.from({ length: 500 }, (_, index) => `(${index}, SHA2('row ${index}', 256))`);
    await connection.query(`INSERT IGNORE INTO ${PROBE_DB}.rows_kept VALUES ${values.join(',')}`);
  } finally {
    connection.destroy();
  }
  return probeChecksum(fleet, target);
}

/** CHECKSUM TABLE of the probe table, as text. */
export async function probeChecksum(fleet: FleetManifest, target: FleetServer): Promise<string> {
  const row = await queryOne(fleet, target, `CHECKSUM TABLE ${PROBE_DB}.rows_kept`);
  return String(row.Checksum);
}

/** Whether HAProxy holds the server in maintenance (its 503 window is open). */
export async function windowOpen(fleet: FleetManifest, target: FleetServer): Promise<boolean> {
  const states = await serversState(fleet.haproxy.socket);
  const state = states.find((entry) => entry.backend === target.shard && entry.server === target.name);
  if (!state) throw new Error(`HAProxy has no server ${target.shard}/${target.name}`);
  return state.maintenance;
}

/** The HTTP status users get from the server's shard now. */
export async function shardStatus(target: FleetServer): Promise<number> {
  return (await fetch(target.url)).status;
}

/** `SELECT VERSION()` of a server. */
export async function versionOf(fleet: FleetManifest, target: FleetServer): Promise<string> {
  return String((await queryOne(fleet, target, 'SELECT VERSION() AS v')).v);
}
