import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GenericContainer, type ImagePullPolicy, Wait } from 'testcontainers';

const execFileAsync = promisify(execFile);

/**
 * A containerized MariaDB host as the example class describes one (examples/containers): a
 * container named after the server, its datadir and error log bind-mounted from host
 * directories, mysqld published on 127.0.0.1 only, a stop timeout as long as the shutdown
 * budget, and a `dbwave` SQL user. testcontainers makes the first container; from then on the
 * campaign's commands recreate it (same name, volumes and port) on each upgrade or rollback.
 */
export interface ContainerHost {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  readonly errorLog: string;
  /** The host directory mounted at /etc/mysql/conf.d, for hosts made with `withConfDir`. */
  readonly confDir?: string;
  readonly password: string;
}

/** The SQL client inside an image of each flavour (root over the container's unix socket). */
export type ServerFlavour = 'mariadb' | 'mysql';

export interface ContainerHostOptions {
  readonly name: string;
  readonly image: string;
  /** Host directory for this server: `data/` and `log/` are made inside it. */
  readonly directory: string;
  readonly password: string;
  /** Seconds `docker stop` would wait before SIGKILL: the campaign's shutdown budget. */
  readonly stopTimeoutSeconds: number;
  /** The image's server flavour (default mariadb): which client the container has. */
  readonly flavour?: ServerFlavour;
  /** Mount a host directory `conf/` at /etc/mysql/conf.d, for settings changed while down. */
  readonly withConfDir?: boolean;
}

/** The images are built locally from Debian's packages; a registry is never asked. */
export const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };

/** A container whose ports are published on 127.0.0.1 only, never from a registry. */
export class LoopbackContainer extends GenericContainer {
  constructor(image: string, ports: Readonly<Record<number, number>>) {
    super(image);
    this.withPullPolicy(NEVER_PULL).withExposedPorts(
      ...Object.entries(ports).map(([container, host]) => ({ container: Number(container), host })),
    );
    // testcontainers publishes on every interface; a database host belongs on loopback only.
    this.hostConfig.PortBindings = Object.fromEntries(
      Object.entries(ports).map(([container, host]) => [
        `${container}/tcp`,
        [{ HostIp: '127.0.0.1', HostPort: String(host) }],
      ]),
    );
  }
}

class LoopbackMariadbContainer extends LoopbackContainer {
  constructor(
    options: ContainerHostOptions,
    port: number,
    mounts: readonly { source: string; target: string }[],
  ) {
    super(options.image, { 3306: port });
    this.withName(options.name)
      .withBindMounts([...mounts])
      .withWaitStrategy(Wait.forSuccessfulCommand(`${options.flavour ?? 'mariadb'} --execute 'SELECT 1'`))
      .withStartupTimeout(120_000);
    this.createOpts.StopTimeout = options.stopTimeoutSeconds;
  }
}

/** A port nobody listens on now; the container binds it for good once it starts. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

export async function startContainerHost(options: ContainerHostOptions): Promise<ContainerHost> {
  const dataDir = join(options.directory, 'data');
  const logDir = join(options.directory, 'log');
  const confDir = options.withConfDir ? join(options.directory, 'conf') : undefined;
  const mounts = [
    { source: dataDir, target: '/var/lib/mysql' },
    { source: logDir, target: '/var/log/mysql' },
    ...(confDir === undefined ? [] : [{ source: confDir, target: '/etc/mysql/conf.d' }]),
  ];
  for (const { source } of mounts) await mkdir(source, { recursive: true });
  const port = await freeLoopbackPort();
  const container = await new LoopbackMariadbContainer(options, port, mounts).start();
  const grant = await container.exec([
    options.flavour ?? 'mariadb',
    '--execute',
    `CREATE USER 'dbwave'@'%' IDENTIFIED BY ${sqlString(options.password)};` +
      ` GRANT ALL ON *.* TO 'dbwave'@'%' WITH GRANT OPTION;`,
  ]);
  if (grant.exitCode !== 0) throw new Error(`creating the dbwave user on ${options.name}: ${grant.output}`);
  return {
    name: options.name,
    port,
    dataDir,
    errorLog: join(logDir, 'error.log'),
    ...(confDir === undefined ? {} : { confDir }),
    password: options.password,
  };
}

/** Removes the host's container whatever state it is in (the test is over: SIGKILL is fine). */
export async function removeContainerHost(name: string): Promise<void> {
  for (const container of [name, `${name}-dbwave-previous`]) {
    await execFileAsync('docker', ['rm', '--force', container]).catch(() => undefined);
  }
}

/** SIGKILL, as a crash or an impatient runtime would: only for tests that need an unclean stop. */
export async function killContainer(name: string): Promise<void> {
  await execFileAsync('docker', ['kill', '--signal=KILL', name]);
}

/** `docker inspect` of one field, e.g. `{{.State.ExitCode}}`. */
export async function inspectContainer(name: string, format: string): Promise<string> {
  const { stdout } = await execFileAsync('docker', ['container', 'inspect', '--format', format, name]);
  return stdout.trim();
}
