import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection, Server } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandTimeoutError } from '../../../src/adapters/shell/command-timeout-error.js';
import type { SshConfig } from '../../../src/adapters/ssh/ssh-config.js';
import { connectSsh, type SshShell } from '../../../src/adapters/ssh/ssh-shell.js';
import { TransportError } from '../../../src/core/errors.js';
import { serverNamed } from './server-fixtures.js';

/**
 * The node-ssh shell against an in-process ssh2 server with a real ed25519 host key: host-key
 * refusal, timeouts, output caps and reconnects, without the fleet. The integration suite runs
 * the same adapter against the fleet's real sshd.
 */

let folder: string;
let server: Server;
let port: number;
let config: SshConfig;
let hostKeyLine: string;
const killedGroups: number[] = [];
const connections: Connection[] = [];
let execCount = 0;
let dropNextRun = false;

/** The DBA's command inside dbwave's process-group wrapper (`...; eval '<command>'`). */
function unwrap(sent: string): string {
  const quoted = /eval '(.*)'$/s.exec(sent)?.[1];
  if (quoted === undefined) throw new Error(`not a wrapped command: ${sent}`);
  return quoted.replaceAll(`'\\''`, "'");
}

function keyPair(name: string): { privateKey: Buffer; publicLine: string } {
  const file = join(folder, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  const [type, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { privateKey: readFileSync(file), publicLine: `${type} ${base64}` };
}

function knownHostsWith(line: string): string {
  const file = join(folder, `known_hosts-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${line}\n`);
  return file;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dbwave-ssh-'));
  const host = keyPair('host');
  const client = keyPair('client');
  const clientBlob = Buffer.from(client.publicLine.split(' ')[1] ?? '', 'base64');
  server = new Server({ hostKeys: [host.privateKey] }, (connection) => {
    connections.push(connection);
    connection.on('error', () => undefined);
    connection.on('authentication', (context) => {
      if (context.method === 'publickey' && context.key.data.equals(clientBlob)) context.accept();
      else context.reject(['publickey']);
    });
    connection.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec, _reject, info) => {
        execCount++;
        const stream = acceptExec();
        if (!info.command.includes('dbwave-pgid') && !info.command.startsWith('pg=')) {
          // A command session (ssh-command-session.ts): this server runs none, as a host whose
          // login shell cannot, so every command here takes an exec channel of its own.
          stream.exit(127);
          stream.end();
          return;
        }
        const group = /^pg=(\d+);/.exec(info.command);
        if (group) {
          // dbwave ending a timed-out command's process group from a second channel.
          killedGroups.push(Number(group[1]));
          stream.exit(0);
          stream.end();
          return;
        }
        // What sshd's login shell would print first: its pid, the command's process group.
        stream.stderr.write(`\u001edbwave-pgid=${4000 + execCount}\n`);
        const [command, ...args] = unwrap(info.command).split(' ');
        if (command === 'echo') {
          stream.write(`${args.join(' ')}\n`);
          stream.exit(0);
          stream.end();
        } else if (command === 'fail') {
          stream.stderr.write('bad\n');
          stream.exit(7);
          stream.end();
        } else if (command === 'flood') {
          stream.write(Buffer.alloc(100_000, 'x'));
          stream.write('END\n');
          stream.exit(0);
          stream.end();
        } else if (command === 'probe') {
          if (dropNextRun) {
            dropNextRun = false;
            stream.write('partial\n');
            setTimeout(() => connection.end(), 50);
          } else {
            stream.write(`run ${execCount}\n`);
            stream.exit(0);
            stream.end();
          }
        }
        // 'hang' answers nothing until the client gives up.
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  hostKeyLine = `[127.0.0.1]:${port} ${host.publicLine}`;
  writeFileSync(join(folder, 'id'), client.privateKey);
  config = {
    user: 'dbwave',
    identityFile: join(folder, 'id'),
    knownHostsFile: knownHostsWith(hostKeyLine),
    connectTimeoutMs: 5_000,
    maxOutputBytes: 1_000,
  };
});

afterAll(async () => {
  for (const connection of connections) connection.end();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(folder, { recursive: true, force: true });
});

const target = (): ReturnType<typeof serverNamed> =>
  serverNamed('db-ssh', { host: '127.0.0.1', sshPort: port, transport: 'ssh' });

async function connectionError(knownHostsLine: string): Promise<TransportError> {
  try {
    const shell = await connectSsh(target(), { ...config, knownHostsFile: knownHostsWith(knownHostsLine) });
    await shell.close();
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error('expected the connection to be refused');
}

describe('connectSsh host key checking', () => {
  it('connects when known_hosts lists the key the host offers', async () => {
    const shell = await connectSsh(target(), config);
    expect((await shell.exec('echo hi', { timeoutMs: 5_000 })).stdout).toBe('hi\n');
    await shell.close();
  });

  it('refuses a host that known_hosts does not list, naming the host and the file', async () => {
    const error = await connectionError(hostKeyLine.replace(`[127.0.0.1]:${port}`, '[127.0.0.2]:22'));
    expect(error.message).toContain(`[127.0.0.1]:${port} is not in`);
    expect(error.message).toContain(join(folder, 'known_hosts-'));
    expect(error.retryable).toBe(false);
  });

  it('refuses a host offering another key than the listed one', async () => {
    const other = keyPair('impostor').publicLine;
    const error = await connectionError(`[127.0.0.1]:${port} ${other}`);
    expect(error.message).toMatch(/ssh-ed25519 key \[127\.0\.0\.1\]:\d+ offered does not match/);
    expect(error.retryable).toBe(false);
  });

  it('names the private key file it cannot read, and nothing of any key', async () => {
    const missing = join(folder, 'no-such-key');
    await expect(connectSsh(target(), { ...config, identityFile: missing })).rejects.toThrow(
      `cannot read the private key ${missing}`,
    );
  });
});

describe('SshShell', () => {
  let shell: SshShell;
  beforeAll(async () => {
    shell = await connectSsh(target(), config);
  });
  afterAll(async () => {
    await shell.close();
  });

  it('returns exit status and both streams, reusing one connection', async () => {
    const before = connections.length;
    const failed = await shell.exec('fail', { timeoutMs: 5_000 });
    const echoed = await shell.exec('echo again', { timeoutMs: 5_000 });
    expect(failed).toMatchObject({ exitCode: 7, stdout: '', stderr: 'bad\n' });
    expect(echoed.stdout).toBe('again\n');
    expect(connections.length).toBe(before);
  });

  it('keeps only the tail of a flood of output', async () => {
    const result = await shell.exec('flood', { timeoutMs: 5_000 });
    expect(result.stdout).toMatch(/^\[dbwave: \d+ earlier bytes dropped\]\n/);
    expect(result.stdout.endsWith('xxEND\n')).toBe(true);
  });

  it('ends a command past its timeout on the host, rejecting with exitCode null', async () => {
    let caught: unknown;
    try {
      await shell.exec('hang', { timeoutMs: 200 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandTimeoutError);
    expect((caught as CommandTimeoutError).result.exitCode).toBeNull();
    // The hung command's process group was ended on the host before exec gave up.
    expect(killedGroups).toEqual([4000 + execCount - 1]);
    // The connection survives a timed-out command.
    expect((await shell.exec('echo still here', { timeoutMs: 5_000 })).stdout).toBe('still here\n');
  });

  it('answers exitCode null when the connection drops under a command that may not run twice', async () => {
    dropNextRun = true;
    const result = await shell.exec('probe', { timeoutMs: 5_000 });
    expect(result.exitCode).toBeNull();
    expect(result.stdout).toBe('partial\n');
    // The next command reconnects by itself.
    expect((await shell.exec('echo reconnected', { timeoutMs: 5_000 })).stdout).toBe('reconnected\n');
  });

  it('reconnects once and runs an idempotent command again when the connection drops under it', async () => {
    dropNextRun = true;
    const result = await shell.exec('probe', { timeoutMs: 5_000, idempotent: true });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^run \d+\n$/);
  });
});
