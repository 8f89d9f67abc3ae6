import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type StartedTestContainer, Wait } from 'testcontainers';
import { freeLoopbackPort, LoopbackContainer, sqlString } from './container-host.js';

const execFileAsync = promisify(execFile);

/**
 * A package-manager host (scripts/containers/build-images.sh --package-host): sshd, sudo and
 * Debian's full mariadb-server package, started by its own init script; a local apt repository
 * inside holds both builds. dbwave reaches it as a real host: SSH as `dbwave` with a key made
 * for this run, its host key pinned in a known_hosts file, SQL on a published port.
 */
export interface PackageHost {
  readonly name: string;
  /** The SQL port published on 127.0.0.1. */
  readonly port: number;
  readonly sshPort: number;
  readonly password: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA...`: the host key as the host itself presents it. */
  readonly knownHostsLine: string;
  /** The private key dbwave logs in with (a file in the host's directory). */
  readonly identityFile: string;
  readonly container: StartedTestContainer;
}

export interface PackageHostOptions {
  readonly name: string;
  readonly image: string;
  /** Host directory for this host's key pair. */
  readonly directory: string;
  readonly password: string;
}

/** An ed25519 key pair without a passphrase: `<file>` and `<file>.pub`. */
async function makeKeyPair(file: string): Promise<string> {
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dbwave-test', '-f', file]);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

export async function startPackageHost(options: PackageHostOptions): Promise<PackageHost> {
  await mkdir(options.directory, { recursive: true });
  const identityFile = join(options.directory, 'id_ed25519');
  const publicKey = await makeKeyPair(identityFile);
  const port = await freeLoopbackPort();
  const sshPort = await freeLoopbackPort();
  const container = await new LoopbackContainer(options.image, { 3306: port, 22: sshPort })
    .withName(options.name)
    .withEnvironment({ DBWAVE_AUTHORIZED_KEY: publicKey })
    .withWaitStrategy(Wait.forSuccessfulCommand("mariadb --execute 'SELECT 1'"))
    .withStartupTimeout(120_000)
    .start();
  const grant = await container.exec([
    'mariadb',
    '--execute',
    `CREATE USER 'dbwave'@'%' IDENTIFIED BY ${sqlString(options.password)};` +
      ` GRANT ALL ON *.* TO 'dbwave'@'%' WITH GRANT OPTION;`,
  ]);
  if (grant.exitCode !== 0) throw new Error(`creating the dbwave user on ${options.name}: ${grant.output}`);
  // The host key, read through the container runtime (a channel dbwave does not use), as a
  // fleet's inventory of host keys would have it.
  const hostKey = await container.exec(['cat', '/etc/ssh/ssh_host_ed25519_key.pub']);
  if (hostKey.exitCode !== 0) throw new Error(`reading ${options.name}'s host key: ${hostKey.output}`);
  const [type, key] = hostKey.stdout.trim().split(/\s+/);
  return {
    name: options.name,
    port,
    sshPort,
    password: options.password,
    knownHostsLine: `[127.0.0.1]:${sshPort} ${type} ${key}`,
    identityFile,
    container,
  };
}

/** A command as root inside the host (through the runtime, not dbwave's SSH): its stdout. */
export async function onHost(host: PackageHost, command: string): Promise<string> {
  const result = await host.container.exec(['sh', '-c', command]);
  if (result.exitCode !== 0)
    throw new Error(`${command} on ${host.name} exited ${result.exitCode}: ${result.output}`);
  return result.stdout.trim();
}

/** dpkg-query's own field syntax, not a JavaScript placeholder. */
const VERSION_FIELD = ['$', '{Version}'].join('');

/** The Debian version of `pkg` (default mariadb-server-core) installed on the host. */
export function installedPackageVersion(host: PackageHost, pkg = 'mariadb-server-core'): Promise<string> {
  return onHost(host, `dpkg-query --show --showformat='${VERSION_FIELD}' ${pkg}`);
}

export async function removePackageHost(host: PackageHost | undefined): Promise<void> {
  if (host) await host.container.stop({ remove: true, removeVolumes: true }).catch(() => undefined);
}

/** Writes a known_hosts file with these lines. */
export async function writeKnownHosts(file: string, lines: readonly string[]): Promise<void> {
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}
