import { describe, expect, it } from 'vitest';
import { formatJumpHop, parseProxyJump } from '../../../src/adapters/ssh/proxy-jump.js';

describe('parseProxyJump', () => {
  it('reads a chain of [user@]host[:port] hops, first hop first', () => {
    expect(parseProxyJump('ops@bastion.phx1:2222, inner , ssh://root@10.1.2.3:22/')).toEqual([
      { host: 'bastion.phx1', user: 'ops', port: 2222 },
      { host: 'inner' },
      { host: '10.1.2.3', user: 'root', port: 22 },
    ]);
  });

  it('reads bracketed IPv6 addresses, with or without a port', () => {
    expect(parseProxyJump('[fe80::1]:2200,me@[::1]')).toEqual([
      { host: 'fe80::1', port: 2200 },
      { host: '::1', user: 'me' },
    ]);
  });

  it('takes none, in any case, as no jump', () => {
    expect(parseProxyJump('None')).toBe('none');
  });

  it.each([
    ['', 'is empty'],
    ['a,,b', 'hop 2 ("") is empty'],
    ['@bastion', 'hop 1 ("@bastion") has an empty user before @'],
    ['bastion:0', 'port "0" is not 1-65535'],
    ['bastion:22:23', 'is not a host name or address'],
    ['[::1]:x', 'port "x" is not 1-65535'],
    ['ops@', 'names no host'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseProxyJump(text)).toThrow(message);
  });

  it('prints a hop back the way it reads', () => {
    expect(formatJumpHop({ host: '::1', user: 'me', port: 2200 })).toBe('me@[::1]:2200');
    expect(formatJumpHop({ host: 'bastion' })).toBe('bastion');
  });
});
