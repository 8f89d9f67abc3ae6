import { dirname, resolve } from 'node:path';
import type { Campaign } from '../../model/campaign-schema.js';

/** How dbwave reaches hosts over SSH: the campaign's `ssh` block with its paths made absolute. */
export interface SshConfig {
  readonly user: string;
  /** Private key file (absolute path). */
  readonly identityFile: string;
  /** known_hosts file (absolute path): host keys are always checked against it. */
  readonly knownHostsFile: string;
  readonly connectTimeoutMs: number;
  /** Bytes of output kept per stream and command (the tail). */
  readonly maxOutputBytes: number;
  /** Keepalive probes detect a dropped connection while a long command is silent. */
  readonly keepaliveIntervalMs?: number;
  /** After SIGTERM, how long a timed-out command's processes get before SIGKILL (default 5s). */
  readonly killGraceMs?: number;
}

/** The campaign's SSH settings, paths resolved against the campaign file's folder. */
export function sshConfigFromCampaign(
  ssh: NonNullable<Campaign['ssh']>,
  campaignFile: string,
  maxOutputBytes: number,
): SshConfig {
  const folder = dirname(resolve(campaignFile));
  return {
    user: ssh.user,
    identityFile: resolve(folder, ssh.identity),
    knownHostsFile: resolve(folder, ssh.knownHosts),
    connectTimeoutMs: ssh.connectTimeout,
    maxOutputBytes,
  };
}
