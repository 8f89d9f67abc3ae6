import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshConfig } from '../../../src/adapters/ssh/ssh-config.js';
import { connectSsh } from '../../../src/adapters/ssh/ssh-shell.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';

/**
 * A real sshd holding ed25519, ecdsa and rsa host keys (what a distribution's sshd has), checked
 * against a known_hosts that recorded only one of them. This sshd is the test's own, on loopback
 * and a free port, with throwaway keys: it leaves the fleet alone.
 */

type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

let folder: string;
let sshd: ChildProcess | undefined;
let port: number;
let config: SshConfig;
const publicLines = new Map<KeyType, string>();

function keyPair(name: string, type: KeyType): string {
  const file = join(folder, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return `${keyType} ${base64}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const found = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(found));
    });
  });
}

/** Starts sshd in the foreground, logging to stderr, and waits until it listens. */
function startSshd(configFile: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${log}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited ${code}:\n${log}`));
    });
  });
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dbwave-sshd-key-types-'));
  for (const type of ['ed25519', 'ecdsa', 'rsa'] as const)
    publicLines.set(type, keyPair(`host-${type}`, type));
  writeFileSync(join(folder, 'authorized_keys'), `${keyPair('client', 'ed25519')}\n`, { mode: 0o600 });
  port = await freePort();
  const configFile = join(folder, 'sshd_config');
  writeFileSync(
    configFile,
    [
      `ListenAddress 127.0.0.1:${port}`,
      ...(['ed25519', 'ecdsa', 'rsa'] as const).map((type) => `HostKey ${join(folder, `host-${type}`)}`),
      'PidFile none',
      `AuthorizedKeysFile ${join(folder, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      '',
    ].join('\n'),
  );
  // sshd's privilege separation directory, as the fleet's own sshd needs it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  sshd = await startSshd(configFile);
  config = {
    user: userInfo().username,
    identityFile: join(folder, 'client'),
    knownHostsFile: join(folder, 'unused'),
    connectTimeoutMs: 10_000,
    maxOutputBytes: 1_000,
  };
}, 60_000);

afterAll(() => {
  sshd?.kill('SIGTERM');
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

function host(): ResolvedServer {
  return {
    name: 'keys',
    class: 'keys',
    host: '127.0.0.1',
    port: 3306,
    sshPort: port,
    transport: 'ssh',
    datacenter: 'local',
    vars: {},
  };
}

describe('the SSH adapter on an sshd with ed25519, ecdsa and rsa host keys', () => {
  it.each(['ecdsa', 'rsa', 'ed25519'] as const)(
    'connects when known_hosts lists only its %s key',
    async (type) => {
      const knownHostsFile = join(folder, `known_hosts-${type}`);
      writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${publicLines.get(type)}\n`);
      const shell = await connectSsh(host(), { ...config, knownHostsFile });
      try {
        const result = await shell.exec('echo reached', { timeoutMs: 10_000 });
        expect(result.stdout).toBe('reached\n');
      } finally {
        await shell.close();
      }
    },
  );

  it('refuses it when the one key known_hosts lists is not its own', async () => {
    const knownHostsFile = join(folder, 'known_hosts-impostor');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${keyPair('impostor', 'rsa')}\n`);
    await expect(connectSsh(host(), { ...config, knownHostsFile })).rejects.toThrow(
      /ssh-rsa key \[127\.0\.0\.1\]:\d+ offered does not match/,
    );
  });
});
