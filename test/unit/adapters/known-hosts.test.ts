import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostKeyAlgorithmsFor,
  keyTypeOf,
  knownHostName,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/adapters/ssh/known-hosts.js';

interface GeneratedKey {
  /** `ssh-ed25519 AAAA...` as known_hosts holds it. */
  readonly line: string;
  /** The raw blob an SSH server offers. */
  readonly blob: Buffer;
}

let folder: string;
let hostKey: GeneratedKey;
let otherKey: GeneratedKey;
let ecdsaKey: GeneratedKey;

function generate(name: string, type: 'ed25519' | 'ecdsa'): GeneratedKey {
  const file = join(folder, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { line: `${keyType} ${base64}`, blob: Buffer.from(base64 ?? '', 'base64') };
}

/** Hashes every host name of a known_hosts text with OpenSSH's own `ssh-keygen -H`. */
function hashedByOpenssh(text: string): string {
  const file = join(folder, `hashed-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  // ssh-keygen warns on stderr about the unhashed backup it leaves; the test does not care.
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
  return readFileSync(file, 'utf8');
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'dbwave-known-hosts-'));
  hostKey = generate('host', 'ed25519');
  otherKey = generate('other', 'ed25519');
  ecdsaKey = generate('ecdsa', 'ecdsa');
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('known_hosts names', () => {
  it('writes a host on port 22 plain and any other port as [host]:port', () => {
    expect(knownHostName('db1.example', 22)).toBe('db1.example');
    expect(knownHostName('127.0.1.3', 2222)).toBe('[127.0.1.3]:2222');
  });
});

describe('parseKnownHosts', () => {
  it('reads hosts, key type and key blob, skipping comments, blanks and damaged lines', () => {
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        `db1,10.0.0.1 ${hostKey.line} root@db1`,
        'broken-line',
        `@revoked * ${otherKey.line}`,
      ].join('\n'),
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ hosts: 'db1,10.0.0.1', keyType: 'ssh-ed25519', line: 3 });
    expect(entries[0]?.key.equals(hostKey.blob)).toBe(true);
    expect(entries[1]?.marker).toBe('revoked');
  });

  it('reads the algorithm name from a key blob', () => {
    expect(keyTypeOf(hostKey.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(ecdsaKey.blob)).toMatch(/^ecdsa-sha2-nistp/);
  });
});

describe('verifyHostKey', () => {
  it('trusts the listed key of a host on its non-standard port', () => {
    const entries = parseKnownHosts(`[127.0.1.3]:2222 ${hostKey.line}\n`);
    expect(verifyHostKey(entries, '127.0.1.3', 2222, hostKey.blob)).toBe('trusted');
  });

  it('does not let a port-22 line vouch for another port, nor the other way round', () => {
    expect(verifyHostKey(parseKnownHosts(`127.0.1.3 ${hostKey.line}`), '127.0.1.3', 2222, hostKey.blob)).toBe(
      'unknown-host',
    );
    expect(
      verifyHostKey(parseKnownHosts(`[127.0.1.3]:2222 ${hostKey.line}`), '127.0.1.3', 22, hostKey.blob),
    ).toBe('unknown-host');
  });

  it('finds a host anywhere in a comma list', () => {
    const entries = parseKnownHosts(`db1,[127.0.1.3]:2222,10.0.0.1 ${hostKey.line}`);
    expect(verifyHostKey(entries, '127.0.1.3', 2222, hostKey.blob)).toBe('trusted');
    expect(verifyHostKey(entries, '10.0.0.1', 22, hostKey.blob)).toBe('trusted');
  });

  it('calls a listed host offering another key a mismatch', () => {
    const entries = parseKnownHosts(`[127.0.1.3]:2222 ${hostKey.line}`);
    expect(verifyHostKey(entries, '127.0.1.3', 2222, otherKey.blob)).toBe('mismatch');
  });

  it('calls a host nobody listed unknown', () => {
    const entries = parseKnownHosts(`[127.0.1.3]:2222 ${hostKey.line}`);
    expect(verifyHostKey(entries, '127.0.1.4', 2222, hostKey.blob)).toBe('unknown-host');
  });

  it('trusts any of several keys listed for one host (one per key type)', () => {
    const entries = parseKnownHosts(`db1 ${ecdsaKey.line}\ndb1 ${hostKey.line}`);
    expect(verifyHostKey(entries, 'db1', 22, hostKey.blob)).toBe('trusted');
    expect(verifyHostKey(entries, 'db1', 22, ecdsaKey.blob)).toBe('trusted');
    expect(verifyHostKey(entries, 'db1', 22, otherKey.blob)).toBe('mismatch');
  });

  it('matches hashed names that OpenSSH itself wrote', () => {
    const hashed = hashedByOpenssh(`[127.0.1.3]:2222 ${hostKey.line}\ndb9.example ${ecdsaKey.line}\n`);
    expect(hashed).not.toContain('127.0.1.3');
    const entries = parseKnownHosts(hashed);
    expect(entries.every((entry) => entry.hosts.startsWith('|1|'))).toBe(true);
    expect(verifyHostKey(entries, '127.0.1.3', 2222, hostKey.blob)).toBe('trusted');
    expect(verifyHostKey(entries, 'db9.example', 22, ecdsaKey.blob)).toBe('trusted');
    expect(verifyHostKey(entries, '127.0.1.3', 2222, otherKey.blob)).toBe('mismatch');
    expect(verifyHostKey(entries, '127.0.1.4', 2222, hostKey.blob)).toBe('unknown-host');
  });

  it('honours wildcards and lets a negation rule a line out', () => {
    const entries = parseKnownHosts(`*.db.example,!bad.db.example ${hostKey.line}`);
    expect(verifyHostKey(entries, 'db1.db.example', 22, hostKey.blob)).toBe('trusted');
    expect(verifyHostKey(entries, 'bad.db.example', 22, hostKey.blob)).toBe('unknown-host');
  });

  it('refuses a revoked key even where a line also lists it', () => {
    const entries = parseKnownHosts(`db1 ${hostKey.line}\n@revoked * ${hostKey.line}`);
    expect(verifyHostKey(entries, 'db1', 22, hostKey.blob)).toBe('revoked');
  });

  it('never trusts a @cert-authority line as a host key', () => {
    const entries = parseKnownHosts(`@cert-authority db1 ${hostKey.line}`);
    expect(verifyHostKey(entries, 'db1', 22, hostKey.blob)).toBe('unknown-host');
  });
});

describe('hostKeyAlgorithmsFor', () => {
  const rsaLine = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ==';

  it('offers only the key types known_hosts lists for the host, in ssh2’s order of preference', () => {
    const entries = parseKnownHosts(`db1 ${rsaLine}\ndb1 ${ecdsaKey.line}\ndb2 ${hostKey.line}`);
    expect(hostKeyAlgorithmsFor(entries, 'db1', 22)).toEqual([
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(hostKeyAlgorithmsFor(entries, 'db2', 22)).toEqual(['ssh-ed25519']);
  });

  it('looks at the host’s own port and hashed names as the host key check does', () => {
    const hashed = parseKnownHosts(
      hashedByOpenssh(`[127.0.1.3]:2222 ${ecdsaKey.line}\n127.0.1.3 ${hostKey.line}\n`),
    );
    expect(hostKeyAlgorithmsFor(hashed, '127.0.1.3', 2222)).toEqual(['ecdsa-sha2-nistp256']);
    expect(hostKeyAlgorithmsFor(hashed, '127.0.1.3', 22)).toEqual(['ssh-ed25519']);
  });

  it('leaves the choice to ssh2 when known_hosts lists no usable key for the host', () => {
    const entries = parseKnownHosts(
      `db1 ${hostKey.line}\n@revoked db2 ${hostKey.line}\n@cert-authority db3 ${ecdsaKey.line}\ndb4 sk-ssh-ed25519@openssh.com AAAA`,
    );
    for (const host of ['db0', 'db2', 'db3', 'db4'])
      expect(hostKeyAlgorithmsFor(entries, host, 22)).toBeUndefined();
  });
});
