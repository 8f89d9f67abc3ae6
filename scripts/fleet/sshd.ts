import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { runOk } from './exec.js';
import type { HostPaths } from './fleet-paths.js';
import type { HostSpec } from './host-plan.js';
import { isOurs, readPid, sleep } from './processes.js';

/**
 * One sshd per host, on the host's own address: key-only, root with the fleet's key, its own
 * host key (so known_hosts really tells the hosts apart), pid file and log under the host's dir.
 */

export const SSHD = '/usr/sbin/sshd';

export function renderSshdConfig(host: HostSpec, paths: HostPaths, port: number): string {
  return [
    '# Written by `npm run fleet -- up`: this host only, key-only.',
    `ListenAddress ${host.address}:${port}`,
    `HostKey ${paths.hostKey}`,
    `PidFile ${paths.sshdPid}`,
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // No PAM: nothing of the machine's own login setup matters to the fleet.
    'UsePAM no',
    // The checkout may sit under group-writable directories; the key files themselves are 0600.
    'StrictModes no',
    'PrintMotd no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    // dbwave opens a few sessions per host at once.
    'MaxSessions 20',
    'MaxStartups 50:30:100',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** Host key and config; the key is kept by `heal` so known_hosts stays valid. */
export async function prepareSshd(
  host: HostSpec,
  paths: HostPaths,
  port: number,
  clientPublicKey: string,
): Promise<void> {
  await mkdir(paths.sshDir, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.hostKey)) {
    await runOk('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      `${host.name}-host`,
      '-f',
      paths.hostKey,
    ]);
  }
  await writeFile(paths.authorizedKeys, clientPublicKey, { mode: 0o600 });
  await writeFile(paths.sshdConfig, renderSshdConfig(host, paths, port));
}

/** Starts this host's sshd (it daemonizes itself) and waits for its pid file. */
export async function startSshd(paths: HostPaths): Promise<number> {
  // sshd's privilege separation directory; the system sshd would create it at boot.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  await runOk(SSHD, ['-t', '-f', paths.sshdConfig]);
  await runOk(SSHD, ['-f', paths.sshdConfig, '-E', paths.sshdLog]);
  for (let i = 0; i < 100; i++) {
    const pid = readPid(paths.sshdPid);
    if (isOurs(pid, paths.sshdConfig)) return pid;
    await sleep(50);
  }
  throw new Error(`sshd for ${paths.home} did not write ${paths.sshdPid}; see ${paths.sshdLog}`);
}

/** `[127.0.1.1]:2222 ssh-ed25519 AAAA...`, or the plain address on port 22. */
export async function knownHostsLine(host: HostSpec, paths: HostPaths, port: number): Promise<string> {
  const [type, key] = (await readFile(`${paths.hostKey}.pub`, 'utf8')).trim().split(/\s+/);
  const where = port === 22 ? host.address : `[${host.address}]:${port}`;
  return `${where} ${type} ${key}`;
}

export async function writeKnownHosts(file: string, lines: readonly string[]): Promise<void> {
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
