/**
 * ssh_config's `%` tokens and `~`, expanded the way ssh(1) expands them in the keywords dbwave
 * reads. `HostName` takes `%h` (the name given) and `%%`; `IdentityFile` and
 * `UserKnownHostsFile` take the connection's tokens below and a leading `~`.
 */
export interface TokenValues {
  /** %h: the remote host name (after HostName). */
  readonly host: string;
  /** %n: the name as given, before HostName. */
  readonly originalHost: string;
  /** %p: the remote port. */
  readonly port: number;
  /** %r: the remote user. */
  readonly remoteUser: string;
  /** %u: the local user. */
  readonly localUser: string;
  /** %d and `~`: the local user's home directory. */
  readonly home: string;
  /** %i: the local user's numeric id. */
  readonly uid: number;
  /** %l and %L: the local host name (full, and up to the first dot). */
  readonly localHost: string;
}

const PATH_TOKENS = new Set(['%', 'h', 'n', 'p', 'r', 'u', 'd', 'i', 'l', 'L']);
const HOSTNAME_TOKENS = new Set(['%', 'h']);

/** The first `%x` in `value` that `keyword` does not take (or a lone trailing `%`), else undefined. */
export function unknownToken(keyword: string, value: string): string | undefined {
  const allowed = keyword === 'hostname' ? HOSTNAME_TOKENS : PATH_TOKENS;
  for (const match of value.matchAll(/%(.?)/g)) {
    const token = match[1] ?? '';
    if (!allowed.has(token)) return `%${token}`;
  }
  return undefined;
}

/** `value` with its tokens replaced (tokens were checked when the file was read). */
export function expandTokens(value: string, tokens: TokenValues): string {
  const replacements: Readonly<Record<string, string>> = {
    '%': '%',
    h: tokens.host,
    n: tokens.originalHost,
    p: String(tokens.port),
    r: tokens.remoteUser,
    u: tokens.localUser,
    d: tokens.home,
    i: String(tokens.uid),
    l: tokens.localHost,
    L: tokens.localHost.split('.')[0] ?? tokens.localHost,
  };
  return value.replace(/%(.)/g, (whole, token: string) => replacements[token] ?? whole);
}

/** A path with `~` or `~/` at its start made the home directory, then its tokens expanded. */
export function expandPath(value: string, tokens: TokenValues): string {
  const tilde = value === '~' || value.startsWith('~/') ? `${tokens.home}${value.slice(1)}` : value;
  return expandTokens(tilde, tokens);
}
