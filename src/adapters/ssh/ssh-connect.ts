import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { AgentAuthMethod, Client, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { errorMessage, TransportError } from '../../core/errors.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import {
  type HostKeyVerdict,
  hostKeyAlgorithmsFor,
  type KnownHostEntry,
  keyTypeOf,
  knownHostName,
  parseKnownHosts,
  verifyHostKey,
} from './known-hosts.js';
import { PrivateKeyCache } from './private-key.js';
import { localUserOf, type SshConfig } from './ssh-config.js';
import { type SshEndpoint, sshRoute } from './ssh-route.js';

/** The connections that reach one server: the server's own last; closing closes them all. */
export interface SshLink {
  readonly target: NodeSSH;
  /** The bastions, first hop first (empty without a jump). */
  readonly hops: readonly SshEndpoint[];
  dispose(): void;
}

/**
 * Connects to a server over SSH, through its bastions when it has any (`ProxyJump`): each hop is
 * an SSH connection of its own, tunnelled through the one before (a `direct-tcpip` channel, as
 * `ssh -J` does), and each hop's host key is checked against known_hosts like the server's: an
 * unknown host or a key that differs from the listed one is refused (TransportError, not
 * retryable) before any command could run. Only the key types known_hosts lists for a host are
 * negotiated (`hostKeyAlgorithmsFor`), so a host recorded by its ecdsa or rsa key is not refused
 * for showing its ed25519 one. Logs in with the identity files in order, then ssh-agent's keys;
 * no key or passphrase ever appears in an error.
 */
export async function openSshLink(server: ResolvedServer, config: SshConfig): Promise<SshLink> {
  const route = sshRoute(server, config, config.local ?? localUserOf());
  const keys = config.keys ?? new PrivateKeyCache();
  const opened: NodeSSH[] = [];
  const dispose = (): void => {
    for (const ssh of opened.reverse()) ssh.dispose();
  };
  try {
    let sock: Duplex | undefined;
    for (const [index, endpoint] of route.entries()) {
      const ssh = await connectEndpoint(server, endpoint, config, keys, sock, index < route.length - 1);
      opened.push(ssh);
      const next = route[index + 1];
      if (next !== undefined) sock = await forwardTo(server, ssh, endpoint, next);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  const target = opened[opened.length - 1];
  if (target === undefined) throw new Error('an SSH route has at least the server itself');
  return { target, hops: route.slice(0, -1), dispose };
}

async function connectEndpoint(
  server: ResolvedServer,
  endpoint: SshEndpoint,
  config: SshConfig,
  keys: PrivateKeyCache,
  sock: Duplex | undefined,
  isBastion: boolean,
): Promise<NodeSSH> {
  const what = `${isBastion ? 'bastion ' : ''}${endpoint.host}:${endpoint.port}`;
  const [identities, knownHosts] = await Promise.all([
    readIdentities(server, endpoint, config, keys),
    readKnownHosts(server, endpoint),
  ]);
  const authHandler: (PublicKeyAuthMethod | AgentAuthMethod)[] = [
    ...identities.map((key) => ({ type: 'publickey' as const, username: endpoint.user, key })),
    ...(config.agentSocket === undefined
      ? []
      : [{ type: 'agent' as const, username: endpoint.user, agent: config.agentSocket }]),
  ];
  if (authHandler.length === 0) {
    throw new TransportError(
      server.host,
      `no key to log in to ${what} with: set ssh.identity, an IdentityFile in ssh_config, or load the key into ssh-agent`,
      { retryable: false },
    );
  }
  const serverHostKey = hostKeyAlgorithmsFor(knownHosts, endpoint.host, endpoint.port);
  let verdict: HostKeyVerdict | undefined;
  let offeredType: string | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      ...(sock === undefined ? { host: endpoint.host, port: endpoint.port } : { sock }),
      username: endpoint.user,
      authHandler,
      readyTimeout: config.connectTimeoutMs,
      keepaliveInterval: config.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      // The host proves a key known_hosts lists, whatever types it holds besides.
      ...(serverHostKey === undefined ? {} : { algorithms: { serverHostKey } }),
      hostVerifier: (key: Buffer) => {
        offeredType = keyTypeOf(key);
        verdict = verifyHostKey(knownHosts, endpoint.host, endpoint.port, key);
        return verdict === 'trusted';
      },
    });
  } catch (error) {
    ssh.dispose();
    if (verdict !== undefined && verdict !== 'trusted')
      throw hostKeyError(server, endpoint, verdict, offeredType, error);
    throw new TransportError(server.host, `ssh to ${what} failed: ${errorMessage(error)}`, { cause: error });
  }
  return ssh;
}

/** A `direct-tcpip` channel from a bastion to the next hop: the next connection's socket. */
function forwardTo(
  server: ResolvedServer,
  bastion: NodeSSH,
  from: SshEndpoint,
  to: SshEndpoint,
): Promise<Duplex> {
  const client: Client | null = bastion.connection;
  return new Promise((resolve, reject) => {
    if (client === null) {
      reject(new TransportError(server.host, `bastion ${from.host}:${from.port} closed the connection`));
      return;
    }
    client.forwardOut('127.0.0.1', 0, to.host, to.port, (error, channel) => {
      if (error) {
        reject(
          new TransportError(
            server.host,
            `bastion ${from.host}:${from.port} could not open a connection to ${to.host}:${to.port}: ${errorMessage(error)}`,
            { cause: error },
          ),
        );
      } else {
        resolve(channel);
      }
    });
  });
}

/** The identity files' contents: the campaign's must be readable, ssh_config's are skipped when missing (as ssh does). */
async function readIdentities(
  server: ResolvedServer,
  endpoint: SshEndpoint,
  config: SshConfig,
  cache: PrivateKeyCache,
): Promise<ParsedKey[]> {
  const keys: ParsedKey[] = [];
  for (const file of endpoint.identityFiles) {
    let text: Buffer;
    try {
      text = await readFile(file);
    } catch (error) {
      if (!endpoint.requiredIdentityFiles.includes(file)) continue;
      throw new TransportError(server.host, `cannot read the private key ${file}: ${errorMessage(error)}`, {
        cause: error,
        retryable: false,
      });
    }
    const verdict = cache.verdict(file, text, config.passphrase);
    if (verdict.kind === 'usable') {
      keys.push(verdict.key);
      continue;
    }
    // Without a passphrase, an encrypted key is the agent's to use (ssh-add holds it decrypted).
    if (verdict.kind === 'encrypted' && config.agentSocket !== undefined) continue;
    const reason =
      verdict.kind === 'encrypted'
        ? 'is encrypted: set ssh.passphraseFile or ssh.passphraseEnv, or load it into ssh-agent'
        : verdict.kind === 'wrong-passphrase'
          ? 'is not opened by the passphrase the campaign gives'
          : verdict.reason;
    throw new TransportError(server.host, `the private key ${file} ${reason}`, { retryable: false });
  }
  return keys;
}

/** Every known_hosts file of the endpoint, read; one that cannot be read is refused, never skipped. */
async function readKnownHosts(server: ResolvedServer, endpoint: SshEndpoint): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(
    endpoint.knownHostsFiles.map(async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new TransportError(
          server.host,
          `cannot read the known_hosts file ${file}: ${errorMessage(error)}`,
          {
            cause: error,
            retryable: false,
          },
        );
      }
    }),
  );
  return texts.flatMap((text) => parseKnownHosts(text));
}

function hostKeyError(
  server: ResolvedServer,
  endpoint: SshEndpoint,
  verdict: HostKeyVerdict,
  offeredType: string | undefined,
  cause: unknown,
): TransportError {
  const file = endpoint.knownHostsFiles.join(', ');
  const name = knownHostName(endpoint.host, endpoint.port);
  const key = offeredType ?? 'unknown type';
  const reason =
    verdict === 'unknown-host'
      ? `host key refused: ${name} is not in ${file} (offered a ${key} key); add its verified key there`
      : verdict === 'revoked'
        ? `host key refused: the ${key} key ${name} offered is marked @revoked in ${file}`
        : `host key refused: the ${key} key ${name} offered does not match the key ${file} lists for it ` +
          '(host replaced, or someone in between)';
  return new TransportError(server.host, reason, { cause, retryable: false });
}
