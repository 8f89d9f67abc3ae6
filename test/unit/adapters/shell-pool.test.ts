import { describe, expect, it } from 'vitest';
import { LocalShell } from '../../../src/adapters/local/local-shell.js';
import { ShellPool } from '../../../src/adapters/shell/shell-pool.js';
import type { SshConfig } from '../../../src/adapters/ssh/ssh-config.js';
import { TransportError } from '../../../src/core/errors.js';
import type { RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import { serverNamed } from './server-fixtures.js';

const ssh: SshConfig = {
  user: 'root',
  identityFile: '/nonexistent/id',
  knownHostsFile: '/nonexistent/known_hosts',
  connectTimeoutMs: 1_000,
  maxOutputBytes: 1_024,
};

function fakeShell(): RemoteShell & { closed: boolean } {
  return {
    closed: false,
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '', durationMs: 0 }),
    async close() {
      this.closed = true;
    },
  };
}

describe('ShellPool', () => {
  it('connects once per server and hands every later caller the same shell', async () => {
    let connects = 0;
    const pool = new ShellPool({
      ssh,
      maxOutputBytes: 1_024,
      connect: async () => {
        connects++;
        return fakeShell();
      },
    });
    const server = serverNamed('db-01', { transport: 'ssh' });
    const [a, b] = await Promise.all([pool.shellFor(server), pool.shellFor(server)]);
    expect(a).toBe(b);
    expect(await pool.shellFor(server)).toBe(a);
    expect(connects).toBe(1);
  });

  it('does not keep a failed connection, so the next call tries again', async () => {
    let attempts = 0;
    const pool = new ShellPool({
      ssh,
      maxOutputBytes: 1_024,
      connect: async (server) => {
        attempts++;
        if (attempts === 1) throw new TransportError(server.host, 'connection refused');
        return fakeShell();
      },
    });
    const server = serverNamed('db-01', { transport: 'ssh' });
    await expect(pool.shellFor(server)).rejects.toThrow('connection refused');
    await expect(pool.shellFor(server)).resolves.toBeDefined();
    expect(attempts).toBe(2);
  });

  it('runs transport: local servers on this machine', async () => {
    const pool = new ShellPool({ maxOutputBytes: 1_024 });
    expect(await pool.shellFor(serverNamed('cloud-01', { transport: 'local' }))).toBeInstanceOf(LocalShell);
  });

  it('refuses an ssh server when the campaign has no ssh settings', async () => {
    const pool = new ShellPool({ maxOutputBytes: 1_024 });
    await expect(pool.shellFor(serverNamed('db-01', { transport: 'ssh' }))).rejects.toThrow(/no ssh: block/);
  });

  it('closes a released server’s shell and, at the end, all the others', async () => {
    const shells: ReturnType<typeof fakeShell>[] = [];
    const pool = new ShellPool({
      ssh,
      maxOutputBytes: 1_024,
      connect: async () => {
        const shell = fakeShell();
        shells.push(shell);
        return shell;
      },
    });
    await pool.shellFor(serverNamed('db-01', { transport: 'ssh' }));
    await pool.shellFor(serverNamed('db-02', { transport: 'ssh' }));
    await pool.release(serverNamed('db-01', { transport: 'ssh' }));
    expect(shells.map((shell) => shell.closed)).toEqual([true, false]);
    await pool.closeAll();
    expect(shells.map((shell) => shell.closed)).toEqual([true, true]);
  });
});
