import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalShell } from '../../../src/adapters/local/local-shell.js';
import { CommandTimeoutError } from '../../../src/adapters/shell/command-timeout-error.js';
import { TimeoutError } from '../../../src/core/errors.js';

const shell = new LocalShell({ label: 'db-local', maxOutputBytes: 1024, killGraceMs: 1_000 });

/** Running, and not a zombie waiting for a parent (a container's init may never reap it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` is false (true) or gives up after 10 s (false): a bound, not a timing. */
async function becomesFalse(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (!check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('LocalShell', () => {
  it('runs a command with /bin/sh and returns its exit status and both streams', async () => {
    const result = await shell.exec('echo out; echo err >&2; exit 3', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps only the tail of a flood of output, saying how much it dropped', async () => {
    const result = await shell.exec('seq 1 100000', { timeoutMs: 10_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\[dbwave: \d+ earlier bytes dropped\]\n/);
    expect(result.stdout.endsWith('99999\n100000\n')).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(1024 + 64);
  });

  it('stops a command at its timeout and rejects with a TimeoutError holding exitCode null and the output so far', async () => {
    const error = await rejectionOf(shell.exec('echo started; sleep 30', { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error).toBeInstanceOf(TimeoutError);
    const timeout = error as CommandTimeoutError;
    expect(timeout.code).toBe('TIMEOUT');
    expect(timeout.result.exitCode).toBeNull();
    expect(timeout.result.stdout).toBe('started\n');
    expect(timeout.message).toContain('db-local');
  });

  it('kills what the command started, not only the shell', async () => {
    const error = (await rejectionOf(
      shell.exec('sleep 30 & echo $!; wait', { timeoutMs: 300 }),
    )) as CommandTimeoutError;
    const child = Number(error.result.stdout.trim());
    expect(child).toBeGreaterThan(0);
    // SIGTERM went to the whole group: the background sleep goes too.
    expect(await becomesFalse(() => isAlive(child))).toBe(true);
  });

  it('spares a database server process in the command’s group', async () => {
    const spared = new LocalShell({
      label: 'db-local',
      maxOutputBytes: 1024,
      killGraceMs: 100,
      protectedProcessNames: ['mariadbd'],
    });
    // A stand-in "mariadbd": a copy of sleep, so its process name is mariadbd.
    const folder = mkdtempSync(join(tmpdir(), 'dbwave-local-shell-'));
    copyFileSync('/bin/sleep', join(folder, 'mariadbd'));
    const error = (await rejectionOf(
      spared.exec(`${join(folder, 'mariadbd')} 30 & echo $!; wait`, { timeoutMs: 300 }),
    )) as CommandTimeoutError;
    rmSync(folder, { recursive: true, force: true });
    const pid = Number(error.result.stdout.trim());
    // Well past the SIGKILL that follows the grace period.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    try {
      expect(isAlive(pid)).toBe(true);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('rejects with the reason of an aborted signal and stops the command', async () => {
    const controller = new AbortController();
    const running = shell.exec('sleep 30', { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error('operator pressed ctrl-c'));
    await expect(running).rejects.toThrow('operator pressed ctrl-c');
  });

  it('returns once the command exits even if a daemon it started keeps the output pipe open', async () => {
    const result = await shell.exec('sleep 30 & echo $!', { timeoutMs: 60_000 });
    expect(result.exitCode).toBe(0);
    process.kill(Number(result.stdout.trim()), 'SIGKILL');
  });

  it('reports a command killed by a signal as having no exit status', async () => {
    const result = await shell.exec('kill -KILL $$', { timeoutMs: 10_000 });
    expect(result.exitCode).toBeNull();
  });
});
