import { resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { formatJumpHop, type JumpHop, parseProxyJump } from './proxy-jump.js';
import type { LocalUser, SshConfig } from './ssh-config.js';
import type { SshConfigFile } from './ssh-config-file.js';
import { lookupSshHost, type SshHostSettings } from './ssh-config-lookup.js';
import { expandPath, expandTokens, type TokenValues } from './ssh-config-tokens.js';

/** One SSH connection of a route: a bastion, or the server itself. */
export interface SshEndpoint {
  /** The name it was asked for (the server's host, or a ProxyJump hop), for messages. */
  readonly alias: string;
  /** The address dialled (ssh_config's HostName, else the alias): host keys are checked for it. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private key files in the order they are offered; the campaign's first. */
  readonly identityFiles: readonly string[];
  /** Whether a missing file of `identityFiles` is an error (the campaign's) or skipped (ssh_config's, as ssh does). */
  readonly requiredIdentityFiles: readonly string[];
  /** Every file whose keys vouch for this endpoint's host key. */
  readonly knownHostsFiles: readonly string[];
}

/** Bastions cannot nest deeper than this: deeper is a loop in ssh_config's ProxyJumps. */
const MAX_HOPS = 8;

/**
 * The connections that reach a server, first hop first, the server last. Settings are decided per
 * endpoint in one order (docs/ssh.md), the way ssh ranks its command line over its config file:
 *
 * 1. what the campaign and class files say (a server's `sshUser`, then `ssh.user`, the campaign's `ssh.port` or a server's
 *    `sshPort` other than 22, `ssh.identity`, `ssh.knownHosts`, `ssh.proxyJump`), and a hop's
 *    own `user@` and `:port`;
 * 2. the first value ssh_config gives the name (User, Port, HostName, IdentityFile,
 *    UserKnownHostsFile, ProxyJump);
 * 3. ssh's defaults: the local user, port 22, `~/.ssh/known_hosts`, no jump.
 *
 * `ssh.user` and the class's port are the server's, not the bastions'. A jump's first hop may
 * have a ProxyJump of its own (ssh follows it too); the later hops are reached through the
 * earlier ones. Pure: the files are read by the caller.
 */
export function sshRoute(
  server: ResolvedServer,
  config: SshConfig,
  local: LocalUser,
): readonly SshEndpoint[] {
  const target = resolveEndpoint(
    {
      host: server.host,
      // A server's own sshUser (e.g. from an inventory's ansible_user) before the campaign's.
      ...((server.sshUser ?? config.user) === undefined ? {} : { user: server.sshUser ?? config.user }),
      // A class file cannot say "22" apart from "unset": 22 without a campaign port lets ssh_config decide.
      ...(config.port === undefined && server.sshPort === 22 ? {} : { port: server.sshPort }),
    },
    config,
    local,
    server.sshPort,
  );
  const jump = config.proxyJump ?? target.jump;
  return [...routeTo(jump, config, local, [server.host]), target.endpoint];
}

function routeTo(
  jump: readonly JumpHop[] | 'none' | undefined,
  config: SshConfig,
  local: LocalUser,
  seen: readonly string[],
): SshEndpoint[] {
  if (jump === undefined || jump === 'none') return [];
  const [first, ...rest] = jump.map((hop) => resolveEndpoint(hop, config, local, 22));
  if (first === undefined) return [];
  const alias = first.endpoint.alias;
  if (seen.length >= MAX_HOPS || seen.some((name) => name.toLowerCase() === alias.toLowerCase())) {
    throw configIssue(
      config.sshConfig,
      first.jumpLine,
      'ProxyJump',
      `loops: ${[...seen, alias].join(' -> ')} (or nests deeper than ${MAX_HOPS} bastions)`,
    );
  }
  return [
    ...routeTo(first.jump, config, local, [...seen, alias]),
    first.endpoint,
    ...rest.map((hop) => hop.endpoint),
  ];
}

interface Resolved {
  readonly endpoint: SshEndpoint;
  /** The endpoint's own ProxyJump from ssh_config (with its line), for the first hop and the server. */
  readonly jump?: readonly JumpHop[] | 'none';
  readonly jumpLine?: number;
}

function resolveEndpoint(hop: JumpHop, config: SshConfig, local: LocalUser, defaultPort: number): Resolved {
  const settings: SshHostSettings = config.sshConfig
    ? lookupSshHost(config.sshConfig, {
        alias: hop.host,
        ...(hop.user === undefined ? {} : { user: hop.user }),
        localUser: local.user,
      })
    : { identityFiles: [] };
  refuseProxyCommand(settings, config, hop.host);
  const user = hop.user ?? settings.user?.value ?? local.user;
  const port = hop.port ?? settings.port?.value ?? defaultPort;
  const host =
    settings.hostName === undefined
      ? hop.host
      : expandTokens(settings.hostName.value, tokensFor(hop.host, hop.host, port, user, local));
  const tokens = tokensFor(host, hop.host, port, user, local);
  const fromConfig = settings.identityFiles.map((file) =>
    resolve(local.home, expandPath(file.value, tokens)),
  );
  const required = config.identityFile === undefined ? [] : [config.identityFile];
  const knownHostsFiles =
    config.knownHostsFile !== undefined
      ? [config.knownHostsFile]
      : settings.userKnownHostsFiles !== undefined
        ? settings.userKnownHostsFiles.value.map((file) => resolve(local.home, expandPath(file, tokens)))
        : [resolve(local.home, '.ssh/known_hosts')];
  const jump = settings.proxyJump === undefined ? undefined : parseProxyJump(settings.proxyJump.value);
  return {
    endpoint: {
      alias: hop.host,
      host,
      port,
      user,
      identityFiles: [...required, ...fromConfig.filter((file) => !required.includes(file))],
      requiredIdentityFiles: required,
      knownHostsFiles,
    },
    ...(jump === undefined ? {} : { jump }),
    ...(settings.proxyJump === undefined ? {} : { jumpLine: settings.proxyJump.line }),
  };
}

function tokensFor(host: string, alias: string, port: number, user: string, local: LocalUser): TokenValues {
  return {
    host,
    originalHost: alias,
    port,
    remoteUser: user,
    localUser: local.user,
    home: local.home,
    uid: local.uid,
    localHost: local.hostName,
  };
}

/**
 * ssh would run a ProxyCommand for this host (one set before any ProxyJump and not `none`);
 * dbwave runs no command from ssh_config, so it says so rather than connect another way.
 */
function refuseProxyCommand(settings: SshHostSettings, config: SshConfig, alias: string): void {
  const command = settings.proxyCommand;
  if (command === undefined || command.value.toLowerCase() === 'none' || config.proxyJump !== undefined)
    return;
  if (settings.proxyJump !== undefined && settings.proxyJump.line < command.line) return;
  throw configIssue(
    config.sshConfig,
    command.line,
    'ProxyCommand',
    `applies to ${alias}, but dbwave runs no proxy command: use ProxyJump (or set ssh.proxyJump in the campaign)`,
  );
}

function configIssue(
  file: SshConfigFile | undefined,
  line: number | undefined,
  key: string,
  message: string,
): InputError {
  return InputError.of(file?.file ?? 'ssh.proxyJump', key, message, line);
}

/** The route as `user@host:port` hops, for messages and the dry run. */
export function describeRoute(route: readonly SshEndpoint[]): string {
  return route.map((endpoint) => formatJumpHop(endpoint)).join(' -> ');
}
