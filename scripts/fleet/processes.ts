import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * Processes the fleet starts and stops. Everything is started detached (its own session, no
 * inherited fds) so the fleet outlives `npm run fleet -- up`, and everything is stopped by a
 * recorded pid that is first checked to still be ours: a recycled pid is never signalled.
 */

export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** True if `pid` is alive and one of its arguments contains `marker` (a path only we use). */
export function isOurs(pid: number | undefined, marker: string): pid is number {
  return pid !== undefined && isAlive(pid) && cmdline(pid).some((arg) => arg.includes(marker));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until the process is gone; false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

export function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** Starts a command in its own session with output appended to `logFile`; returns its pid. */
export function spawnDetached(
  command: string,
  args: readonly string[],
  logFile: string,
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * SIGTERM, wait, and only if it will not go, SIGKILL: for the fleet's own daemons at `down`,
 * never for a mariadbd a campaign is shutting down.
 */
export async function terminate(pid: number, graceMs: number): Promise<'exited' | 'killed'> {
  signal(pid, 'SIGCONT');
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return 'exited';
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
  return 'killed';
}
