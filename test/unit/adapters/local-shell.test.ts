import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHILD_ENVIRONMENT,
  campaignChildEnvironment,
  childEnvironment,
  DEFAULT_CHILD_PATH,
  secretVariableNames,
} from '../../../src/adapters/local/child-environment.js';
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

/** `env` output as name -> value. */
function parseEnv(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
}

describe('the environment of a local command', () => {
  it('holds none of dbwave’s secrets: a variable set in dbwave does not reach the child', async () => {
    process.env.DBWAVE_TEST_MYSQL_PASSWORD = 'hunter2-in-the-parent';
    try {
      const fresh = new LocalShell({ label: 'db-local', maxOutputBytes: 65_536 });
      const result = await fresh.exec('env', { timeoutMs: 5_000 });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain('hunter2-in-the-parent');
      const names = [...parseEnv(result.stdout).keys()];
      // What /bin/sh itself sets (PWD, SHLVL, _) aside, only the stated variables are there.
      const allowed = new Set<string>([...CHILD_ENVIRONMENT.passed, ...Object.keys(CHILD_ENVIRONMENT.fixed)]);
      expect(
        names.filter((name) => !allowed.has(name) && !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(name)),
      ).toEqual([]);
      expect(parseEnv(result.stdout).get('LC_ALL')).toBe('C');
    } finally {
      delete process.env.DBWAVE_TEST_MYSQL_PASSWORD;
    }
  });

  it('withholds a secret even when the campaign names it like a passed variable', async () => {
    const withheld = new LocalShell({
      label: 'db-local',
      maxOutputBytes: 65_536,
      environment: childEnvironment(
        { HOME: 'hunter2-as-home', USER: 'dba', PATH: '/usr/bin:/bin' },
        { withheld: ['HOME'] },
      ),
    });
    const seen = parseEnv((await withheld.exec('env', { timeoutMs: 5_000 })).stdout);
    expect(seen.has('HOME')).toBe(false);
    expect(seen.get('USER')).toBe('dba');
    expect(seen.get('PATH')).toBe('/usr/bin:/bin');
  });

  it('is PATH, HOME, USER, LOGNAME and TZ from dbwave, LANG and LC_ALL=C, and nothing else', () => {
    expect(
      childEnvironment({
        PATH: '/p',
        HOME: '/root',
        USER: 'u',
        LOGNAME: 'u',
        TZ: 'UTC',
        SSH_AUTH_SOCK: '/s',
        LANG: 'de',
      }),
    ).toEqual({ PATH: '/p', HOME: '/root', USER: 'u', LOGNAME: 'u', TZ: 'UTC', LANG: 'C', LC_ALL: 'C' });
    expect(childEnvironment({})).toEqual({ PATH: DEFAULT_CHILD_PATH, LANG: 'C', LC_ALL: 'C' });
  });

  it("passes the campaign's commands.environment names too, but never a secret's", () => {
    const parent = { PATH: '/p', DOCKER_HOST: 'unix:///d.sock', DB_PASS: 'hunter2', KUBECONFIG: '/k' };
    const campaign = {
      mysql: { passwordEnv: 'DB_PASS' },
      notify: undefined,
      commands: { environment: ['DOCKER_HOST', 'DB_PASS'] },
    } as unknown as Parameters<typeof campaignChildEnvironment>[0];
    expect(campaignChildEnvironment(campaign, parent)).toEqual({
      PATH: '/p',
      DOCKER_HOST: 'unix:///d.sock',
      LANG: 'C',
      LC_ALL: 'C',
    });
  });

  it('withholds the variables the campaign names for the MySQL password and the webhook', () => {
    expect(secretVariableNames({ mysql: undefined, notify: undefined })).toEqual([]);
    expect(
      secretVariableNames({
        mysql: { user: 'u', port: 3306, connectTimeout: 1, passwordEnv: 'DB_PW' },
        notify: { contacts: [], every: 1, webhookEnv: 'SLACK_URL' },
      }),
    ).toEqual(['DB_PW', 'SLACK_URL']);
  });
});
