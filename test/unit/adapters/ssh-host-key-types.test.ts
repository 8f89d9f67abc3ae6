import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection, Server } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshConfig } from '../../../src/adapters/ssh/ssh-config.js';
import { connectSsh } from '../../../src/adapters/ssh/ssh-shell.js';
import { serverNamed } from './server-fixtures.js';

/**
 * A host holding ed25519, ecdsa and rsa host keys (an in-process ssh2 server, as sshd is set up
 * by default), checked against a known_hosts that recorded only one of them. The integration
 * suite proves the same against a real sshd (ssh-host-key-types.test.ts).
 */

type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

let folder: string;
let server: Server;
let port: number;
let config: SshConfig;
const publicLines = new Map<KeyType, string>();
const connections: Connection[] = [];

function keyPair(name: string, type: KeyType): { privateKey: Buffer; publicLine: string } {
  const file = join(folder, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { privateKey: readFileSync(file), publicLine: `${keyType} ${base64}` };
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dbwave-ssh-key-types-'));
  const hostKeys: Buffer[] = [];
  for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
    const pair = keyPair(`host-${type}`, type);
    hostKeys.push(pair.privateKey);
    publicLines.set(type, pair.publicLine);
  }
  const client = keyPair('client', 'ed25519');
  const clientBlob = Buffer.from(client.publicLine.split(' ')[1] ?? '', 'base64');
  server = new Server({ hostKeys }, (connection) => {
    connections.push(connection);
    connection.on('error', () => undefined);
    connection.on('authentication', (context) => {
      if (context.method === 'publickey' && context.key.data.equals(clientBlob)) context.accept();
      else context.reject(['publickey']);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  writeFileSync(join(folder, 'id'), client.privateKey);
  config = {
    user: 'dbwave',
    identityFile: join(folder, 'id'),
    knownHostsFile: join(folder, 'unused'),
    connectTimeoutMs: 5_000,
    maxOutputBytes: 1_000,
  };
});

afterAll(async () => {
  for (const connection of connections) connection.end();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(folder, { recursive: true, force: true });
});

describe('a host with several host keys', () => {
  it.each(['ecdsa', 'rsa', 'ed25519'] as const)(
    'is trusted when known_hosts lists only its %s key',
    async (type) => {
      const knownHostsFile = join(folder, `known_hosts-${type}`);
      writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${publicLines.get(type)}\n`);
      const shell = await connectSsh(
        serverNamed('db-keys', { host: '127.0.0.1', sshPort: port, transport: 'ssh' }),
        {
          ...config,
          knownHostsFile,
        },
      );
      await shell.close();
    },
  );

  it('is still refused when the one key known_hosts lists is not among its keys', async () => {
    const knownHostsFile = join(folder, 'known_hosts-impostor');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${keyPair('impostor', 'ecdsa').publicLine}\n`);
    const connecting = connectSsh(
      serverNamed('db-keys', { host: '127.0.0.1', sshPort: port, transport: 'ssh' }),
      {
        ...config,
        knownHostsFile,
      },
    );
    await expect(connecting).rejects.toThrow(
      /ecdsa-sha2-nistp256 key \[127\.0\.0\.1\]:\d+ offered does not match/,
    );
  });
});
