import { existsSync } from 'node:fs';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { run } from '../exec.js';
import { activeFaults } from '../faults.js';
import { FleetPaths } from '../fleet-paths.js';
import { haproxyPid, mariadbdPid, rssKib, sshdPid } from '../fleet-processes.js';
import { serversState } from '../haproxy.js';
import { type FleetManifest, readManifest } from '../manifest.js';

/** One row per host: versions, up or down, window open or closed, sshd, faults. */

export interface HostStatus {
  readonly name: string;
  readonly shard: string;
  readonly installed: string;
  /** `SELECT VERSION()` when it answers. */
  readonly running?: string;
  readonly mariadbd: 'up' | 'down' | 'not answering';
  readonly window: 'open' | 'closed' | 'unknown';
  readonly sshd: 'up' | 'down';
  readonly faults: readonly string[];
  readonly rssMib: number;
}

async function runningVersion(
  manifest: FleetManifest,
  host: string,
  port: number,
): Promise<string | undefined> {
  try {
    const connection = await createConnection({
      host,
      port,
      user: manifest.mysql.user,
      password: manifest.mysql.password,
      connectTimeout: 2_000,
    });
    try {
      const [rows] = await connection.query<RowDataPacket[]>({
        sql: 'SELECT VERSION() AS v',
        timeout: 2_000,
      });
      return String(rows[0]?.v ?? '');
    } finally {
      connection.destroy();
    }
  } catch {
    return undefined;
  }
}

export async function fleetStatus(paths = new FleetPaths()): Promise<HostStatus[]> {
  if (!existsSync(paths.fleetJson))
    throw new Error('no fleet is up (no .fleet/fleet.json): run `npm run fleet -- up`');
  const manifest = await readManifest(paths.fleetJson);
  const windows =
    haproxyPid(paths) === undefined ? [] : await serversState(paths.haproxySocket).catch(() => []);
  return Promise.all(
    manifest.servers.map(async (server): Promise<HostStatus> => {
      const host = paths.host(server.name);
      const pid = mariadbdPid(host);
      const running =
        pid === undefined ? undefined : await runningVersion(manifest, server.host, server.port);
      const state = windows.find((entry) => entry.backend === server.shard && entry.server === server.name);
      const installed = (await run(host.fleetctl, ['installed-version'])).stdout.trim();
      return {
        name: server.name,
        shard: server.shard,
        installed,
        ...(running === undefined ? {} : { running }),
        mariadbd: pid === undefined ? 'down' : running === undefined ? 'not answering' : 'up',
        window: state === undefined ? 'unknown' : state.maintenance ? 'open' : 'closed',
        sshd: sshdPid(host) === undefined ? 'down' : 'up',
        faults: await activeFaults(host),
        rssMib: Math.round(rssKib(pid) / 1024),
      };
    }),
  );
}

export function formatStatus(rows: readonly HostStatus[]): string {
  const header = ['SERVER', 'SHARD', 'INSTALLED', 'RUNNING', 'MARIADBD', 'RSS', 'WINDOW', 'SSHD', 'FAULTS'];
  const table = rows.map((row) => [
    row.name,
    row.shard,
    row.installed,
    row.running ?? '-',
    row.mariadbd,
    `${row.rssMib}M`,
    row.window,
    row.sshd,
    row.faults.join(',') || '-',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)),
  );
  return [header, ...table]
    .map((cells) =>
      cells
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
