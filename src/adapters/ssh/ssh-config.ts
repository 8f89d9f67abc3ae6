import { readFile } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { errorMessage, InputError } from '../../core/errors.js';
import type { Campaign } from '../../model/campaign-schema.js';
import { readCampaignSecret } from '../local/campaign-secret.js';
import { PrivateKeyCache } from './private-key.js';
import { type JumpHop, parseProxyJump } from './proxy-jump.js';
import { parseSshConfig, type SshConfigFile } from './ssh-config-file.js';

type SshBlock = NonNullable<Campaign['ssh']>;

/**
 * How dbwave reaches hosts over SSH: the campaign's `ssh` block with its paths made absolute and
 * its secrets read. What the campaign leaves unset comes from the user's ssh_config (`config`),
 * host by host, then from ssh's own defaults: see ssh-route.ts and docs/ssh.md.
 */
export interface SshConfig {
  /** Remote user; ssh_config's `User`, else the local user, when unset. */
  readonly user?: string;
  /**
   * The campaign's `ssh.port`, when it names one: the server's port is then final. Without it,
   * a server whose port is the default 22 takes ssh_config's Port (docs/ssh.md).
   */
  readonly port?: number;
  /** Private key file (absolute path), tried first on every hop. */
  readonly identityFile?: string;
  /** Decrypts an encrypted identity (the campaign's and ssh_config's). Never logged or shown. */
  readonly passphrase?: string;
  /** known_hosts file (absolute path) for every hop; ssh_config's, else ~/.ssh/known_hosts, when unset. */
  readonly knownHostsFile?: string;
  /** ssh-agent's socket (`SSH_AUTH_SOCK`): its keys are offered after the files'. */
  readonly agentSocket?: string;
  /** The user's ssh_config, parsed. */
  readonly sshConfig?: SshConfigFile;
  /** The campaign's `ssh.proxyJump`: wins over ssh_config's ProxyJump. */
  readonly proxyJump?: readonly JumpHop[] | 'none';
  /** Private keys already opened this run (shared by every connection); a fresh one when unset. */
  readonly keys?: PrivateKeyCache;
  /** Who runs dbwave: `%u`, `%d`, `~` and the default user; this process's when unset. */
  readonly local?: LocalUser;
  readonly connectTimeoutMs: number;
  /** Bytes of output kept per stream and command (the tail). */
  readonly maxOutputBytes: number;
  /** Keepalive probes detect a dropped connection while a long command is silent. */
  readonly keepaliveIntervalMs?: number;
  /** After SIGTERM, how long a timed-out command's processes get before SIGKILL (default 5s). */
  readonly killGraceMs?: number;
}

/** The local side of a connection, as ssh_config's tokens see it. */
export interface LocalUser {
  readonly user: string;
  readonly home: string;
  readonly uid: number;
  readonly hostName: string;
}

/** This process's user; `HOME` from `env` when set (as ssh takes it). */
export function localUserOf(env: Readonly<Record<string, string | undefined>> = process.env): LocalUser {
  const info = userInfo();
  return { user: info.username, home: env.HOME ?? homedir(), uid: info.uid, hostName: hostname() };
}

/**
 * The campaign's SSH settings that need no reading: paths resolved against the campaign file's
 * folder, the ProxyJump parsed. {@link sshSettingsFromCampaign} adds the files and secrets.
 */
export function sshConfigFromCampaign(
  ssh: SshBlock,
  campaignFile: string,
  maxOutputBytes: number,
): SshConfig {
  const folder = dirname(resolve(campaignFile));
  return {
    ...(ssh.user === undefined ? {} : { user: ssh.user }),
    ...(ssh.port === undefined ? {} : { port: ssh.port }),
    ...(ssh.identity === undefined ? {} : { identityFile: resolve(folder, ssh.identity) }),
    ...(ssh.knownHosts === undefined ? {} : { knownHostsFile: resolve(folder, ssh.knownHosts) }),
    ...(ssh.proxyJump === undefined ? {} : { proxyJump: campaignProxyJump(ssh.proxyJump, campaignFile) }),
    connectTimeoutMs: ssh.connectTimeout,
    maxOutputBytes,
  };
}

/**
 * Everything the campaign's `ssh` block says, read now so that a mistake is exit 2 before any
 * server is touched: the ssh_config file (`config`, `~` is the home directory), the passphrase
 * (`passphraseFile`, its trailing newline dropped, or `passphraseEnv`), ssh-agent's socket
 * (`agent`: unset uses `SSH_AUTH_SOCK` when set, as ssh does; true needs it; false never), and
 * the identity file when a passphrase is given (a wrong one is found here, not at the first host).
 */
export async function sshSettingsFromCampaign(
  ssh: SshBlock,
  campaignFile: string,
  maxOutputBytes: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SshConfig> {
  const base = sshConfigFromCampaign(ssh, campaignFile, maxOutputBytes);
  const local = localUserOf(env);
  const passphrase = await readCampaignSecret(
    campaignFile,
    { file: ['ssh.passphraseFile', ssh.passphraseFile], env: ['ssh.passphraseEnv', ssh.passphraseEnv] },
    env,
  );
  const agentSocket = ssh.agent === false ? undefined : env.SSH_AUTH_SOCK || undefined;
  if (ssh.agent === true && agentSocket === undefined) {
    throw InputError.of(
      campaignFile,
      'ssh.agent',
      'is true but SSH_AUTH_SOCK is not set: start ssh-agent and add the key',
    );
  }
  const sshConfig =
    ssh.config === undefined ? undefined : await readSshConfig(ssh.config, campaignFile, local);
  const keys = new PrivateKeyCache();
  if (passphrase !== undefined && base.identityFile !== undefined) {
    await checkIdentity(base.identityFile, passphrase, campaignFile, ssh, keys);
  }
  return {
    ...base,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(agentSocket === undefined ? {} : { agentSocket }),
    ...(sshConfig === undefined ? {} : { sshConfig }),
    keys,
    local,
  };
}

function campaignProxyJump(text: string, campaignFile: string): readonly JumpHop[] | 'none' {
  try {
    return parseProxyJump(text);
  } catch (error) {
    throw InputError.of(campaignFile, 'ssh.proxyJump', errorMessage(error));
  }
}

async function readSshConfig(path: string, campaignFile: string, local: LocalUser): Promise<SshConfigFile> {
  const file =
    path === '~' || path.startsWith('~/')
      ? `${local.home}${path.slice(1)}`
      : resolve(dirname(resolve(campaignFile)), path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw InputError.of(campaignFile, 'ssh.config', `cannot read ${file}: ${errorMessage(error)}`);
  }
  return parseSshConfig(file, text);
}

async function checkIdentity(
  file: string,
  passphrase: string,
  campaignFile: string,
  ssh: SshBlock,
  keys: PrivateKeyCache,
): Promise<void> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    throw InputError.of(campaignFile, 'ssh.identity', `cannot read ${file}: ${errorMessage(error)}`);
  }
  const parsed = keys.verdict(file, text, passphrase);
  if (parsed.kind === 'usable' || parsed.kind === 'encrypted') return;
  if (parsed.kind === 'wrong-passphrase') {
    const key = ssh.passphraseFile === undefined ? 'ssh.passphraseEnv' : 'ssh.passphraseFile';
    throw InputError.of(campaignFile, key, `does not decrypt ${file}`);
  }
  throw InputError.of(campaignFile, 'ssh.identity', `${file} ${parsed.reason}`);
}
