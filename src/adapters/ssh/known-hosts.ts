import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { patternListMatches } from './host-pattern.js';

/**
 * OpenSSH's known_hosts, read the way `ssh -o StrictHostKeyChecking=yes` reads it: plain names,
 * `[host]:port` for a port other than 22, comma lists, `*`/`?` wildcards, `!` negations, hashed
 * names (`|1|salt|hash`, HMAC-SHA1 of the name keyed by the salt) and the `@revoked` marker.
 * `@cert-authority` lines are kept but never trusted: dbwave does not verify host certificates.
 */

export interface KnownHostEntry {
  readonly marker?: 'cert-authority' | 'revoked';
  /** The host field as written (comma list, or a hashed name). */
  readonly hosts: string;
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
  readonly keyType: string;
  /** The public key blob (what an SSH server offers during the handshake). */
  readonly key: Buffer;
  /** 1-based line in the file. */
  readonly line: number;
}

export type HostKeyVerdict =
  /** A key listed for this host equals the offered key. */
  | 'trusted'
  /** No line of the file names this host. */
  | 'unknown-host'
  /** The host is listed, but with other keys: a replaced host or a man in the middle. */
  | 'mismatch'
  /** The offered key is listed as `@revoked`. */
  | 'revoked';

/** Parses known_hosts text; lines it cannot read (comments, blanks, damage) are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const name = fields.shift();
      if (name !== '@revoked' && name !== '@cert-authority') return;
      marker = name === '@revoked' ? 'revoked' : 'cert-authority';
    }
    const [hosts, keyType, base64] = fields;
    if (hosts === undefined || keyType === undefined || base64 === undefined) return;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return;
    const key = Buffer.from(base64, 'base64');
    if (key.length === 0) return;
    entries.push({ ...(marker === undefined ? {} : { marker }), hosts, keyType, key, line: index + 1 });
  });
  return entries;
}

/** The name known_hosts uses for a host and port: `host`, or `[host]:port` when the port is not 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether an entry's host field names this host and port. */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (entry.hosts.startsWith('|1|')) return hashedNameMatches(entry.hosts, name);
  return patternListMatches(entry.hosts.split(','), name);
}

/**
 * Decides whether `offeredKey` (the raw public key blob) is this host's key. Only entries
 * without a marker vouch for a key; a key listed `@revoked` is refused even when also listed.
 */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  offeredKey: Buffer,
): HostKeyVerdict {
  const forHost = entries.filter((entry) => entryMatchesHost(entry, host, port));
  if (forHost.some((entry) => entry.marker === 'revoked' && entry.key.equals(offeredKey))) return 'revoked';
  const plain = forHost.filter((entry) => entry.marker === undefined);
  if (plain.length === 0) return 'unknown-host';
  return plain.some((entry) => entry.keyType === keyTypeOf(offeredKey) && entry.key.equals(offeredKey))
    ? 'trusted'
    : 'mismatch';
}

/**
 * The host key algorithms that prove a key of each known_hosts type, in the order dbwave prefers
 * them (ssh2's own order). An RSA key is proven by a SHA-2 signature when the server can make one.
 */
const HOST_KEY_ALGORITHMS: readonly (readonly [
  keyType: string,
  algorithms: readonly ServerHostKeyAlgorithm[],
])[] = [
  ['ssh-ed25519', ['ssh-ed25519']],
  ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
  ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
  ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
  ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
  ['ssh-dss', ['ssh-dss']],
];

/**
 * The host key algorithms to offer a host: only those proving a key type that known_hosts lists
 * (unmarked) for it. A server holds keys of several types and, left to choose, would show one
 * that known_hosts may not list (ed25519 where only the ecdsa key was recorded), which would look
 * like a replaced host. Undefined when known_hosts lists no type ssh2 can check: the handshake
 * then goes as usual and the host key check refuses the host.
 */
export function hostKeyAlgorithmsFor(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
): ServerHostKeyAlgorithm[] | undefined {
  const listed = new Set(
    entries
      .filter((entry) => entry.marker === undefined && entryMatchesHost(entry, host, port))
      .map((entry) => entry.keyType),
  );
  const algorithms = HOST_KEY_ALGORITHMS.filter(([keyType]) => listed.has(keyType)).flatMap(
    ([, offered]) => offered,
  );
  return algorithms.length === 0 ? undefined : algorithms;
}

/** The algorithm name a public key blob starts with (uint32 length, then the name). */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

function hashedNameMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
