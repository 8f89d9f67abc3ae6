/**
 * One hop of a `ProxyJump` list, as OpenSSH writes it: `[user@]host[:port]` or
 * `ssh://[user@]host[:port]`, an IPv6 address in brackets (`[fe80::1]:2222`). What the hop leaves
 * out (user, port) comes from ssh_config's section for its host, else the defaults.
 */
export interface JumpHop {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

/**
 * Parses a `ProxyJump` value: a comma-separated chain, first hop first, or `none` (an explicit
 * "no jump", which also stops a later ssh_config section from adding one). Throws an Error whose
 * message says what is wrong with which hop; callers add the file, line and key.
 */
export function parseProxyJump(text: string): readonly JumpHop[] | 'none' {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'none') return 'none';
  if (trimmed === '') throw new Error('is empty: name at least one [user@]host[:port], or none');
  return trimmed.split(',').map((hop, index) => parseHop(hop.trim(), index + 1));
}

function parseHop(hop: string, position: number): JumpHop {
  const what = `hop ${position} (${JSON.stringify(hop)})`;
  const withoutScheme = hop.replace(/^ssh:\/\//i, '').replace(/\/$/, '');
  if (withoutScheme === '') throw new Error(`${what} is empty`);
  const at = withoutScheme.lastIndexOf('@');
  const user = at === -1 ? undefined : withoutScheme.slice(0, at);
  const address = at === -1 ? withoutScheme : withoutScheme.slice(at + 1);
  if (user === '') throw new Error(`${what} has an empty user before @`);
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(address);
  const [host, portText] = bracketed
    ? [bracketed[1], bracketed[2]]
    : address.split(':').length === 2
      ? (address.split(':') as [string, string])
      : [address, undefined];
  if (host === undefined || host === '') throw new Error(`${what} names no host`);
  if (/[\s/,]/.test(host) || (!bracketed && host.includes(':')))
    throw new Error(`${what}: ${JSON.stringify(host)} is not a host name or address`);
  const port = portText === undefined ? undefined : parsePort(portText, what);
  return { host, ...(user === undefined ? {} : { user }), ...(port === undefined ? {} : { port }) };
}

function parsePort(text: string, what: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) throw new Error(`${what}: port ${JSON.stringify(text)} is not 1-65535`);
  return port;
}

/** The hop as OpenSSH would print it, for messages. */
export function formatJumpHop(hop: JumpHop): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user === undefined ? '' : `${hop.user}@`}${host}${hop.port === undefined ? '' : `:${hop.port}`}`;
}
