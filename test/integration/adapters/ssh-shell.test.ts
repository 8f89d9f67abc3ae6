import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandTimeoutError } from '../../../src/adapters/shell/command-timeout-error.js';
import { ShellPool } from '../../../src/adapters/shell/shell-pool.js';
import { connectSsh, type SshShell } from '../../../src/adapters/ssh/ssh-shell.js';
import { TransportError } from '../../../src/core/errors.js';
import { renderCommand, templateVariables } from '../../../src/model/command-template.js';
import {
  eventually,
  fleetCampaign,
  fleetServer,
  fleetSshConfig,
  loadFleet,
  resolvedServer,
} from './adapter-fixture.js';

const fleet = loadFleet();
const campaign = fleetCampaign(fleet);
const first = fleetServer(fleet, 0);

function knownHostsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dbwave-adapter-known-hosts-')), 'known_hosts');
  writeFileSync(file, text);
  return file;
}

/** Every host listed with its neighbour's key: what a swapped or spoofed host looks like. */
function shiftedKnownHosts(): string {
  const lines = readFileSync(fleet.ssh.knownHosts, 'utf8').trim().split('\n');
  const keys = lines.map((line) => line.split(/\s+/).slice(1).join(' '));
  return knownHostsFile(
    `${lines.map((line, index) => `${line.split(/\s+/)[0]} ${keys[(index + 1) % keys.length]}`).join('\n')}\n`,
  );
}

async function refusal(knownHostsFile: string): Promise<TransportError> {
  try {
    const shell = await connectSsh(resolvedServer(first), fleetSshConfig(fleet, { knownHostsFile }));
    await shell.close();
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('expected the connection to be refused');
}

describe('the SSH adapter on the fleet', () => {
  const pool = new ShellPool({ ssh: fleetSshConfig(fleet), maxOutputBytes: 65_536 });
  afterAll(() => pool.closeAll());

  it.each(fleet.servers.map((server) => [server.name, server]))(
    '%s runs the campaign’s installedVersion command with its host key checked',
    async (_name, server) => {
      const resolved = resolvedServer(server);
      const shell = await pool.shellFor(resolved);
      const command = renderCommand(
        campaign.commands?.installedVersion ?? '',
        templateVariables(resolved, campaign),
        {
          file: fleet.campaign,
          key: 'commands.installedVersion',
        },
      );
      const result = await shell.exec(command, { timeoutMs: 30_000, idempotent: true });
      expect(result.exitCode).toBe(0);
      expect([fleet.versions.from, fleet.versions.to]).toContain(result.stdout.trim());
    },
  );

  it('reuses one connection per server for the run', async () => {
    const resolved = resolvedServer(first);
    expect(await pool.shellFor(resolved)).toBe(await pool.shellFor(resolved));
  });

  it('refuses a host whose key is not the one known_hosts lists', async () => {
    if (fleet.servers.length < 2) return;
    const error = await refusal(shiftedKnownHosts());
    expect(error.message).toMatch(/does not match the key .* lists for it/);
    expect(error.message).toContain(first.host);
    expect(error.retryable).toBe(false);
  });

  it('refuses a host that known_hosts does not list at all', async () => {
    const error = await refusal(knownHostsFile('# nobody\n'));
    expect(error.message).toMatch(/is not in .*known_hosts/);
  });
});

describe('command timeouts over SSH', () => {
  let shell: SshShell;
  beforeAll(async () => {
    shell = await connectSsh(resolvedServer(first), fleetSshConfig(fleet));
  });
  afterAll(() => shell.close());

  it('aborts a command past its timeout, ends it on the host, and keeps the connection usable', async () => {
    // A sleep whose command line no other process on the machine has.
    const sleeper = `sleep 600.${process.pid}${Date.now() % 1_000_000}`;
    let caught: unknown;
    try {
      await shell.exec(`echo started; exec ${sleeper}`, { timeoutMs: 1_000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandTimeoutError);
    expect((caught as CommandTimeoutError).result).toMatchObject({ exitCode: null, stdout: 'started\n' });

    const pids = async (): Promise<string> =>
      (await shell.exec(`pgrep -x -f '${sleeper}' || true`, { timeoutMs: 10_000 })).stdout.trim();
    const gone = await eventually(async () => (await pids()) === '');
    if (!gone) {
      // Leave nothing behind: end exactly the process this test started, by its pid.
      await shell.exec(`kill ${(await pids()).split('\n').join(' ')}`, { timeoutMs: 10_000 });
    }
    expect(gone).toBe(true);
  });

  it('caps a flood of output to its tail', async () => {
    const capped = await connectSsh(resolvedServer(first), fleetSshConfig(fleet, { maxOutputBytes: 4_096 }));
    try {
      const result = await capped.exec('seq 1 200000', { timeoutMs: 30_000 });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^\[dbwave: \d+ earlier bytes dropped\]\n/);
      expect(result.stdout.endsWith('199999\n200000\n')).toBe(true);
    } finally {
      await capped.close();
    }
  });
});

describe('the persistent command session over SSH', () => {
  let shell: SshShell;
  let other: SshShell;
  beforeAll(async () => {
    shell = await connectSsh(resolvedServer(first), fleetSshConfig(fleet));
    other = await connectSsh(resolvedServer(first), fleetSshConfig(fleet));
  });
  afterAll(async () => {
    await shell.close();
    await other.close();
  });

  /** The pid of the shell that ran the command's shell: the session's, when it ran in one. */
  const sessionPid = async (on: SshShell): Promise<string> =>
    (await on.exec('echo $PPID', { timeoutMs: 10_000 })).stdout.trim();

  it('runs one command after another in the same session, each with its own output and exit status', async () => {
    const first = await sessionPid(shell);
    const failed = await shell.exec("printf 'out\\n'; printf 'err\\n' >&2; exit 3", { timeoutMs: 10_000 });
    expect(failed).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    const binary = await shell.exec("printf '\\036R 1 0 0 0\\n\\000tail'", { timeoutMs: 10_000 });
    expect(binary).toMatchObject({ exitCode: 0, stdout: '\u001eR 1 0 0 0\n\u0000tail', stderr: '' });
    expect(await sessionPid(shell)).toBe(first);
  });

  it('answers a command that leaves a daemon behind without waiting for the daemon', async () => {
    const sleeper = `sleep 300.${process.pid}${Date.now() % 1_000_000}`;
    const result = await shell.exec(`${sleeper} & echo started`, { timeoutMs: 60_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'started\n' });
    const pids = (await shell.exec(`pgrep -x -f '${sleeper}' || true`, { timeoutMs: 10_000 })).stdout.trim();
    expect(pids).not.toBe('');
    await shell.exec(`kill ${pids.split('\n').join(' ')}`, { timeoutMs: 10_000 });
  });

  it('notices a lost session at once: the command in flight is answered as dropped, the next gets a new session', async () => {
    const lost = await sessionPid(shell);
    const sleeper = `sleep 301.${process.pid}${Date.now() % 1_000_000}`;
    const inFlight = shell.exec(`exec ${sleeper}`, { timeoutMs: 120_000 });
    const sleeperPids = async (): Promise<string> =>
      (await other.exec(`pgrep -x -f '${sleeper}' || true`, { timeoutMs: 10_000 })).stdout.trim();
    expect(await eventually(async () => (await sleeperPids()) !== '')).toBe(true);
    // End exactly that session's shell, by its pid, from another connection.
    await other.exec(`kill -9 ${lost}`, { timeoutMs: 10_000 });
    const result = await inFlight;
    expect(result.exitCode).toBeNull();
    const replaced = await sessionPid(shell);
    expect(replaced).not.toBe(lost);
    expect(replaced).toMatch(/^\d+$/);
    await other.exec(`kill ${(await sleeperPids()).split('\n').join(' ')}`, { timeoutMs: 10_000 });
  });

  it('gives a command that comes while the session is busy a channel of its own', async () => {
    const sleeper = `sleep 2.${process.pid}${Date.now() % 1_000_000}`;
    const busy = shell.exec(sleeper, { timeoutMs: 60_000 });
    const [beside, waited] = await Promise.all([shell.exec('echo beside', { timeoutMs: 10_000 }), busy]);
    expect(beside).toMatchObject({ exitCode: 0, stdout: 'beside\n' });
    expect(waited.exitCode).toBe(0);
  });
});
