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
