import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { FleetPaths, HostPaths } from './fleet-paths.js';
import { readPids } from './manifest.js';
import { isAlive, isOurs, readPid, signal, terminate, waitForExit } from './processes.js';

/**
 * Finding and stopping what `up` started. Hosts are found from the directories under
 * .fleet/hosts (not from fleet.json, which a failed `up` may not have written), and every pid
 * is checked against a path only this fleet uses before it is signalled.
 */

export function hostNames(paths: FleetPaths): string[] {
  if (!existsSync(paths.hostsDir)) return [];
  return readdirSync(paths.hostsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function mariadbdPid(host: HostPaths): number | undefined {
  const pid = readPid(host.pidFile);
  return isOurs(pid, `--defaults-file=${host.myCnf}`) ? pid : undefined;
}

export function sshdPid(host: HostPaths): number | undefined {
  const pid = readPid(host.sshdPid);
  return isOurs(pid, host.sshdConfig) ? pid : undefined;
}

export function haproxyPid(paths: FleetPaths): number | undefined {
  const pid = readPid(paths.haproxyPid);
  return isOurs(pid, paths.haproxyCfg) ? pid : undefined;
}

/** The pids of every HAProxy instance of the pair that runs (the first one's is `haproxyPid`). */
export function haproxyPids(paths: FleetPaths): number[] {
  return paths.haproxyInstances.flatMap((instance) => {
    const pid = readPid(instance.pid);
    return isOurs(pid, instance.cfg) ? [pid] : [];
  });
}

export async function shardAppPid(paths: FleetPaths): Promise<number | undefined> {
  const pid = (await readPids(paths.pidsJson)).shardApp;
  return isOurs(pid, paths.shardAppConfig) ? pid : undefined;
}

export function loadPid(paths: FleetPaths): number | undefined {
  const pid = readPid(`${paths.loadDir}/load.pid`);
  return isOurs(pid, 'fleet/main.ts') ? pid : undefined;
}

/** Pid recorded by a fault (long-transaction client, hung mariadbd), if still ours. */
export function faultPid(host: HostPaths, kind: string, marker: string): number | undefined {
  try {
    const record = JSON.parse(readFileSync(`${host.faults}/${kind}`, 'utf8')) as { pid?: number };
    return isOurs(record.pid, marker) ? record.pid : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process in KiB (0 if gone). */
export function rssKib(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Stops everything `up` started. mariadbd gets a clean shutdown (SIGTERM) and time to finish
 * it; only one that is still there after `mariadbGraceMs` is killed, since the next `up` wipes
 * its datadir anyway.
 */
export async function stopFleet(
  paths: FleetPaths,
  log: (line: string) => void,
  mariadbGraceMs = 120_000,
): Promise<void> {
  const load = loadPid(paths);
  if (load !== undefined) await terminate(load, 10_000);

  const stopping: { name: string; pid: number }[] = [];
  const store = mariadbdPid(paths.stateStore);
  if (store !== undefined) {
    signal(store, 'SIGTERM');
    stopping.push({ name: 'state store', pid: store });
  }
  for (const name of hostNames(paths)) {
    const host = paths.host(name);
    const client = faultPid(host, 'long-transaction', host.clientCnf);
    if (client !== undefined) signal(client, 'SIGTERM');
    const pid = mariadbdPid(host);
    if (pid !== undefined) {
      // A hung (SIGSTOPped) server must run again to shut down.
      signal(pid, 'SIGCONT');
      signal(pid, 'SIGTERM');
      stopping.push({ name, pid });
    }
  }
  const app = await shardAppPid(paths);
  if (app !== undefined) await terminate(app, 5_000);
  for (const haproxy of haproxyPids(paths)) await terminate(haproxy, 5_000);
  for (const name of hostNames(paths)) {
    const pid = sshdPid(paths.host(name));
    if (pid !== undefined) await terminate(pid, 5_000);
  }
  const deadline = Date.now() + mariadbGraceMs;
  for (const { name, pid } of stopping) {
    if (await waitForExit(pid, Math.max(0, deadline - Date.now()))) continue;
    log(
      `${name}: mariadbd (pid ${pid}) did not finish its shutdown in ${mariadbGraceMs / 1000}s: killing it`,
    );
    await terminate(pid, 1_000);
  }
  if (stopping.length > 0) log(`stopped ${stopping.length} mariadbd`);
  if (stopping.some(({ pid }) => isAlive(pid))) throw new Error('some mariadbd would not stop');
}

export interface FleetMemory {
  readonly mariadbdMib: number;
  readonly sshdMib: number;
  readonly haproxyMib: number;
  readonly shardAppMib: number;
  readonly totalMib: number;
}

/** Resident memory of everything the fleet runs, by kind. */
export async function fleetMemory(paths: FleetPaths): Promise<FleetMemory> {
  const mib = (kib: number): number => Math.round(kib / 1024);
  const names = hostNames(paths);
  const mariadbd = names.reduce((sum, name) => sum + rssKib(mariadbdPid(paths.host(name))), 0);
  const sshd = names.reduce((sum, name) => sum + rssKib(sshdPid(paths.host(name))), 0);
  const haproxy = haproxyPids(paths).reduce((sum, pid) => sum + rssKib(pid), 0);
  const app = rssKib(await shardAppPid(paths));
  return {
    mariadbdMib: mib(mariadbd),
    sshdMib: mib(sshd),
    haproxyMib: mib(haproxy),
    shardAppMib: mib(app),
    totalMib: mib(mariadbd + sshd + haproxy + app),
  };
}

export function formatMemory(memory: FleetMemory): string {
  return (
    `${memory.totalMib} MiB resident (mariadbd ${memory.mariadbdMib}, sshd ${memory.sshdMib}, ` +
    `haproxy ${memory.haproxyMib}, shard app ${memory.shardAppMib})`
  );
}
