import { readFileSync } from 'node:fs';
import { type Connection, createConnection } from 'mysql2/promise';
import { NodeSSH } from 'node-ssh';
import { inject } from 'vitest';
import { healHost } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { mariadbdPid } from '../../../scripts/fleet/fleet-processes.js';
import { haproxyCommand } from '../../../scripts/fleet/haproxy.js';
import type { FleetManifest, FleetServer } from '../../../scripts/fleet/manifest.js';

/**
 * What the fleet's integration tests share: the fleet the global setup brought up, and small
 * clients for it (SSH with checked host keys, SQL, HAProxy's runtime API). Other integration
 * suites may use it too.
 */

export function fleetJsonPath(): string {
  return process.env.DBWAVE_FLEET_JSON ?? inject('fleetJson');
}

export function loadFleet(): FleetManifest {
  return JSON.parse(readFileSync(fleetJsonPath(), 'utf8')) as FleetManifest;
}

export function fleetPaths(fleet: FleetManifest): FleetPaths {
  return new FleetPaths(fleet.root);
}

export function server(fleet: FleetManifest, name: string): FleetServer {
  const found = fleet.servers.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no server ${name} in the fleet`);
  return found;
}

/** The keys known_hosts holds for host:port, as raw SSH key blobs. */
export function knownKeys(knownHostsFile: string, host: string, port: number): Buffer[] {
  const pattern = port === 22 ? host : `[${host}]:${port}`;
  return readFileSync(knownHostsFile, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([hosts]) => hosts?.split(',').includes(pattern))
    .map(([, , blob]) => Buffer.from(blob ?? '', 'base64'));
}

/** node-ssh with strict host key checking against a known_hosts file. */
export async function sshConnect(
  fleet: FleetManifest,
  target: FleetServer,
  knownHostsFile = fleet.ssh.knownHosts,
): Promise<NodeSSH> {
  const keys = knownKeys(knownHostsFile, target.host, target.sshPort);
  const ssh = new NodeSSH();
  await ssh.connect({
    host: target.host,
    port: target.sshPort,
    username: fleet.ssh.user,
    privateKeyPath: fleet.ssh.identity,
    readyTimeout: 10_000,
    hostVerifier: (key: Buffer) => keys.some((known) => known.equals(key)),
  });
  return ssh;
}

export interface RemoteResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command on the host over SSH, as dbwave's command templates do. */
export async function sshRun(
  fleet: FleetManifest,
  target: FleetServer,
  command: string,
): Promise<RemoteResult> {
  const ssh = await sshConnect(fleet, target);
  try {
    const result = await ssh.execCommand(command);
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  } finally {
    ssh.dispose();
  }
}

export function sql(fleet: FleetManifest, target: FleetServer, connectTimeout = 5_000): Promise<Connection> {
  return createConnection({
    host: target.host,
    port: target.port,
    user: fleet.mysql.user,
    password: fleet.mysql.password,
    connectTimeout,
  });
}

export async function queryOne(
  fleet: FleetManifest,
  target: FleetServer,
  statement: string,
  timeout = 5_000,
): Promise<Record<string, unknown>> {
  const connection = await sql(fleet, target, timeout);
  try {
    const [rows] = await connection.query({ sql: statement, timeout });
    return (rows as Record<string, unknown>[])[0] ?? {};
  } finally {
    connection.destroy();
  }
}

export function setWindow(
  fleet: FleetManifest,
  target: FleetServer,
  state: 'maint' | 'ready',
): Promise<string> {
  return haproxyCommand(fleet.haproxy.socket, `set server ${target.shard}/${target.name} state ${state}`);
}

/** Polls `check` until it returns true; throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function answersSql(fleet: FleetManifest, target: FleetServer): Promise<boolean> {
  await queryOne(fleet, target, 'SELECT 1', 2_000);
  return true;
}

/** Clean shutdown over SSH with innodb_fast_shutdown=0, as dbwave does; resolves with its duration. */
export async function cleanShutdown(fleet: FleetManifest, target: FleetServer): Promise<number> {
  const connection = await sql(fleet, target);
  await connection.query('SET GLOBAL innodb_fast_shutdown = 0');
  connection.destroy();
  const started = Date.now();
  const stop = await sshRun(fleet, target, `${target.fleetctl} stop`);
  if (stop.code !== 0) throw new Error(`stop failed: ${stop.stderr}`);
  // Polled on this side (not over SSH) so the measured duration is precise.
  const host = fleetPaths(fleet).host(target.name);
  await waitFor(`${target.name} to exit`, async () => mariadbdPid(host) === undefined, 180_000);
  return Date.now() - started;
}

export async function startAndWait(fleet: FleetManifest, target: FleetServer): Promise<void> {
  const start = await sshRun(fleet, target, `${target.fleetctl} start`);
  if (start.code !== 0) throw new Error(`start failed: ${start.stderr || start.stdout}`);
  await waitFor(`${target.name} to answer SQL`, () => answersSql(fleet, target));
}

/**
 * Puts a server back in the state `up` left it in: no fault, window closed, older build,
 * running. Tests that change a server call it before and after, so that they do not depend on
 * the order files run in, nor leave anything behind for the next suite.
 */
export async function resetServer(fleet: FleetManifest, target: FleetServer): Promise<void> {
  await healHost(fleetPaths(fleet), target.name);
  await setWindow(fleet, target, 'ready');
  const fleetctl = (subcommand: string) => sshRun(fleet, target, `${target.fleetctl} ${subcommand}`);
  if ((await fleetctl('installed-version')).stdout.trim() !== fleet.versions.from) {
    if ((await fleetctl('running')).code === 0) await cleanShutdown(fleet, target);
    const rollback = await fleetctl('rollback');
    if (rollback.code !== 0) throw new Error(`rollback of ${target.name} failed: ${rollback.stderr}`);
  }
  if ((await fleetctl('running')).code !== 0) await startAndWait(fleet, target);
}
