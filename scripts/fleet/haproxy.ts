import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { runOk } from './exec.js';
import type { FleetPaths, HaproxyInstancePaths } from './fleet-paths.js';
import type { HostSpec } from './host-plan.js';
import { isOurs, readPid, sleep } from './processes.js';

/**
 * The users' side: two HAProxy instances (an HA pair, as one per datacenter), each in HTTP
 * mode with a backend per shard named after the shard and one server named after the DB
 * server. No health checks: only the runtime API's `set server <shard>/<name> state
 * maint|drain` makes a shard answer 503, so a 503 seen by a client is always the window dbwave
 * opened (a server alone in its backend leaves no server for a new request once it drains).
 */

/** What users are told while their shard is in its maintenance window. */
export const RETRY_AFTER_SECONDS = 600;

export const MAINTENANCE_PAGE =
  '<!doctype html><title>Down for maintenance</title>' +
  '<h1>Down for maintenance</h1><p>This shard is being upgraded. Please retry in a few minutes.</p>\n';

export function renderHaproxyConfig(
  paths: FleetPaths,
  hosts: readonly HostSpec[],
  httpPort: number,
  socket: string = paths.haproxySocket,
): string {
  const lines = [
    '# Written by `npm run fleet -- up`.',
    'global',
    `  stats socket ${socket} mode 600 level admin`,
    '  stats timeout 30s',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 15s',
    '  retries 1',
    '',
    'frontend users',
    `  bind 127.0.0.1:${httpPort}`,
  ];
  for (const host of hosts) {
    lines.push(
      `  use_backend ${host.shard} if { path /shard/${host.shard} } || { path_beg /shard/${host.shard}/ }`,
    );
  }
  lines.push('  default_backend no-such-shard', '', 'backend no-such-shard');
  lines.push('  http-request return status 404 content-type text/plain string "no such shard"');
  for (const host of hosts) {
    lines.push(
      '',
      `backend ${host.shard}`,
      // A server in maint is not usable: the shard has no server left, users get the page.
      `  http-request return status 503 content-type text/html file ${paths.maintenancePage}` +
        ` hdr Retry-After ${RETRY_AFTER_SECONDS} if { nbsrv() eq 0 }`,
      `  server ${host.name} 127.0.0.1:${host.appPort}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Starts one HAProxy instance (the first of the pair unless told otherwise); resolves with its pid. */
export async function startHaproxy(
  paths: FleetPaths,
  hosts: readonly HostSpec[],
  httpPort: number,
  instance: HaproxyInstancePaths = {
    cfg: paths.haproxyCfg,
    pid: paths.haproxyPid,
    socket: paths.haproxySocket,
  },
): Promise<number> {
  await writeFile(paths.maintenancePage, MAINTENANCE_PAGE);
  await writeFile(instance.cfg, renderHaproxyConfig(paths, hosts, httpPort, instance.socket));
  await runOk('haproxy', ['-c', '-q', '-f', instance.cfg]);
  // -D: haproxy daemonizes itself and writes the pid file.
  await runOk('haproxy', ['-D', '-f', instance.cfg, '-p', instance.pid]);
  for (let i = 0; i < 100; i++) {
    const pid = readPid(instance.pid);
    if (isOurs(pid, instance.cfg)) return pid;
    await sleep(50);
  }
  throw new Error(`haproxy did not write ${instance.pid}`);
}

/** One command on HAProxy's runtime API; resolves with its whole answer. */
export function haproxyCommand(socket: string, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = createConnection(socket);
    let answer = '';
    const timer = setTimeout(() => {
      client.destroy();
      reject(new Error(`haproxy runtime API did not answer "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    client.setEncoding('utf8');
    client.on('connect', () => client.end(`${command}\n`));
    client.on('data', (chunk: string) => {
      answer += chunk;
    });
    client.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    client.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

export interface ServerState {
  readonly backend: string;
  readonly server: string;
  /** True while forced into maintenance (the window is open). */
  readonly maintenance: boolean;
}

/** Parses `show servers state`: a version line, a `# header`, then one line per server. */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = lines.find((line) => line.startsWith('#'));
  if (!header) return [];
  const columns = header.replace(/^#\s*/, '').split(/\s+/);
  const at = (name: string): number => columns.indexOf(name);
  const states: ServerState[] = [];
  for (const line of lines) {
    if (line.startsWith('#') || !line.includes(' ')) continue;
    const fields = line.split(/\s+/);
    const admin = Number(fields[at('srv_admin_state')] ?? 0);
    states.push({
      backend: fields[at('be_name')] ?? '',
      server: fields[at('srv_name')] ?? '',
      // SRV_ADMF_FMAINT (0x01) forced by the API; 0x20 is maintenance inherited from a tracked server.
      maintenance: (admin & 0x21) !== 0,
    });
  }
  return states;
}

export async function serversState(socket: string): Promise<ServerState[]> {
  return parseServersState(await haproxyCommand(socket, 'show servers state'));
}
