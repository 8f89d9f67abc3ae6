import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../scripts/fleet/exec.js';
import { loadFleet, sshConnect, sshRun } from './fleet-fixture.js';

const fleet = loadFleet();

function opensshArgs(knownHosts: string, host: string, port: number): string[] {
  return [
    '-i',
    fleet.ssh.identity,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=5',
    '-p',
    String(port),
    `${fleet.ssh.user}@${host}`,
  ];
}

/** known_hosts where every host has its neighbour's key: what a swapped or spoofed host looks like. */
function shiftedKnownHosts(): string {
  const lines = readFileSync(fleet.ssh.knownHosts, 'utf8').trim().split('\n');
  const keys = lines.map((line) => line.split(/\s+/).slice(1).join(' '));
  const shifted = lines.map((line, index) => `${line.split(/\s+/)[0]} ${keys[(index + 1) % keys.length]}`);
  const file = join(mkdtempSync(join(tmpdir(), 'fleet-known-hosts-')), 'known_hosts');
  writeFileSync(file, `${shifted.join('\n')}\n`);
  return file;
}

describe('the fleet over SSH', () => {
  it.each(fleet.servers.map((server) => [server.name, server]))(
    '%s answers node-ssh with its own host key and runs fleetctl by absolute path',
    async (_name, server) => {
      const result = await sshRun(fleet, server, `${server.fleetctl} installed-version`);
      expect(result.code).toBe(0);
      expect([fleet.versions.from, fleet.versions.to]).toContain(result.stdout.trim());
    },
  );

  it.each(fleet.servers.map((server) => [server.name, server]))(
    '%s answers OpenSSH with StrictHostKeyChecking=yes',
    async (_name, server) => {
      const result = await run('ssh', [
        ...opensshArgs(fleet.ssh.knownHosts, server.host, server.sshPort),
        'id -un',
      ]);
      expect(result.stderr).not.toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('root');
    },
  );

  it('refuses a host whose key is not the one in known_hosts', async () => {
    if (fleet.servers.length < 2) return;
    const wrong = shiftedKnownHosts();
    const target = fleet.servers[0];
    if (!target) throw new Error('no server');
    const openssh = await run('ssh', [...opensshArgs(wrong, target.host, target.sshPort), 'true']);
    expect(openssh.code).toBe(255);
    expect(openssh.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    await expect(sshConnect(fleet, target, wrong)).rejects.toThrow();
  });

  it('refuses a password and accepts only the fleet key', async () => {
    const target = fleet.servers[0];
    if (!target) throw new Error('no server');
    const result = await run('ssh', [
      ...opensshArgs(fleet.ssh.knownHosts, target.host, target.sshPort).filter(
        (arg) => arg !== fleet.ssh.identity && arg !== '-i',
      ),
      '-o',
      'PubkeyAuthentication=no',
      'true',
    ]);
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/Permission denied/);
  });
});
