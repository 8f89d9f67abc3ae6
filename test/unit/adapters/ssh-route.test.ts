import { describe, expect, it } from 'vitest';
import type { LocalUser, SshConfig } from '../../../src/adapters/ssh/ssh-config.js';
import { parseSshConfig } from '../../../src/adapters/ssh/ssh-config-file.js';
import { describeRoute, sshRoute } from '../../../src/adapters/ssh/ssh-route.js';
import { InputError } from '../../../src/core/errors.js';
import { serverNamed } from './server-fixtures.js';

const FILE = '/home/me/.ssh/config';
const local: LocalUser = { user: 'me', home: '/home/me', uid: 1000, hostName: 'ops-1.example.net' };

const USER_CONFIG = [
  'Host db*.phx1',
  '  HostName %h.example.net',
  '  User dba',
  '  Port 2200',
  '  ProxyJump bastion.phx1',
  '  IdentityFile ~/.ssh/phx_%r',
  'Host bastion.phx1',
  '  HostName 10.0.0.1',
  '  User jump',
  '  ProxyJump gate',
  'Host gate',
  '  Port 2022',
  '  UserKnownHostsFile ~/.ssh/gate_hosts %d/.ssh/known_hosts',
  'Host loop-a',
  '  ProxyJump loop-b',
  'Host loop-b',
  '  ProxyJump loop-a',
  'Host legacy',
  '  ProxyCommand nc -x proxy:1080 %h %p',
  'Host *',
  '  IdentityFile ~/.ssh/id_ed25519',
].join('\n');

function settings(overrides: Partial<SshConfig> = {}): SshConfig {
  return {
    sshConfig: parseSshConfig(FILE, USER_CONFIG),
    connectTimeoutMs: 1_000,
    maxOutputBytes: 1_000,
    local,
    ...overrides,
  };
}

const server = (host: string, sshPort = 22) => serverNamed('db', { host, sshPort, transport: 'ssh' });

describe("sshRoute with the user's ssh_config", () => {
  it('reaches a server the way `ssh NAME` does: HostName, User, Port, IdentityFile and its bastions', () => {
    const route = sshRoute(server('db1.phx1'), settings(), local);
    expect(describeRoute(route)).toBe('me@gate:2022 -> jump@10.0.0.1:22 -> dba@db1.phx1.example.net:2200');
    expect(route.map((endpoint) => endpoint.alias)).toEqual(['gate', 'bastion.phx1', 'db1.phx1']);
    expect(route[2]).toMatchObject({
      host: 'db1.phx1.example.net',
      identityFiles: ['/home/me/.ssh/phx_dba', '/home/me/.ssh/id_ed25519'],
      knownHostsFiles: ['/home/me/.ssh/known_hosts'],
    });
    // Each hop's host key is checked against the files ssh_config gives that hop.
    expect(route[0]?.knownHostsFiles).toEqual(['/home/me/.ssh/gate_hosts', '/home/me/.ssh/known_hosts']);
  });

  it('lets the campaign win over ssh_config for the server: user, port, key, known_hosts, jump', () => {
    const route = sshRoute(
      server('db1.phx1', 2222),
      settings({
        user: 'root',
        identityFile: '/etc/dbwave/id',
        knownHostsFile: '/etc/dbwave/known_hosts',
        proxyJump: [{ host: 'other', user: 'ops', port: 22 }],
      }),
      local,
    );
    expect(describeRoute(route)).toBe('ops@other:22 -> root@db1.phx1.example.net:2222');
    expect(route[1]?.identityFiles).toEqual([
      '/etc/dbwave/id',
      '/home/me/.ssh/phx_root',
      '/home/me/.ssh/id_ed25519',
    ]);
    expect(route[1]?.requiredIdentityFiles).toEqual(['/etc/dbwave/id']);
    expect(route.every((endpoint) => endpoint.knownHostsFiles.join() === '/etc/dbwave/known_hosts')).toBe(
      true,
    );
  });

  it("takes ssh_config's Port only when neither the campaign nor the server names one other than 22", () => {
    expect(sshRoute(server('db1.phx1', 22), settings(), local).at(-1)?.port).toBe(2200);
    expect(sshRoute(server('db1.phx1', 22), settings({ port: 22 }), local).at(-1)?.port).toBe(22);
    expect(sshRoute(server('db1.phx1', 2201), settings(), local).at(-1)?.port).toBe(2201);
  });

  it("gives a hop's own user@ and :port precedence over ssh_config, and the campaign user only to the server", () => {
    const route = sshRoute(
      server('plain'),
      settings({ user: 'root', proxyJump: [{ host: 'bastion.phx1', user: 'alice', port: 2300 }] }),
      local,
    );
    expect(describeRoute(route)).toBe('me@gate:2022 -> alice@10.0.0.1:2300 -> root@plain:22');
  });

  it('takes ProxyJump none from the campaign as no jump, whatever ssh_config says', () => {
    expect(describeRoute(sshRoute(server('db1.phx1'), settings({ proxyJump: 'none' }), local))).toBe(
      'dba@db1.phx1.example.net:2200',
    );
  });

  it('reaches each later hop of a chain through the earlier ones', () => {
    const route = sshRoute(
      server('plain'),
      settings({ proxyJump: [{ host: 'first' }, { host: 'second', user: 'x' }, { host: 'third', port: 2 }] }),
      local,
    );
    expect(describeRoute(route)).toBe('me@first:22 -> x@second:22 -> me@third:2 -> me@plain:22');
  });

  it('refuses a ProxyJump loop, naming the file and the line', () => {
    let caught: unknown;
    try {
      sshRoute(server('loop-a'), settings(), local);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).issues[0]).toMatchObject({ file: FILE, key: 'ProxyJump' });
    expect((caught as InputError).message).toMatch(/loops: loop-a -> loop-b -> loop-a/);
  });

  it('refuses a host ssh would reach through a ProxyCommand, naming the line', () => {
    expect(() => sshRoute(server('legacy'), settings(), local)).toThrow(
      `${FILE}:line 19: ProxyCommand: applies to legacy, but dbwave runs no proxy command`,
    );
    // The campaign's own jump replaces it.
    expect(
      describeRoute(sshRoute(server('legacy'), settings({ proxyJump: [{ host: 'gate' }] }), local)),
    ).toBe('me@gate:2022 -> me@legacy:22');
  });
});

describe('sshRoute without ssh_config', () => {
  it("uses the campaign's settings and ssh's defaults, nothing else", () => {
    const route = sshRoute(
      server('10.1.1.1', 22),
      { connectTimeoutMs: 1_000, maxOutputBytes: 1_000, identityFile: '/k' },
      local,
    );
    expect(route).toEqual([
      {
        alias: '10.1.1.1',
        host: '10.1.1.1',
        port: 22,
        user: 'me',
        identityFiles: ['/k'],
        requiredIdentityFiles: ['/k'],
        knownHostsFiles: ['/home/me/.ssh/known_hosts'],
      },
    ]);
  });
});
