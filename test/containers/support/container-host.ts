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
  readonly password: string;
}

export interface ContainerHostOptions {
  readonly name: string;
  readonly image: string;
  /** Host directory for this server: `data/` and `log/` are made inside it. */
  readonly directory: string;
  readonly password: string;
  /** Seconds `docker stop` would wait before SIGKILL: the campaign's shutdown budget. */
  readonly stopTimeoutSeconds: number;
}

/** The images are built locally from Debian's packages; a registry is never asked. */
const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };

class LoopbackMariadbContainer extends GenericContainer {
  constructor(options: ContainerHostOptions, port: number, dataDir: string, logDir: string) {
    super(options.image);
    this.withName(options.name)
      .withPullPolicy(NEVER_PULL)
      .withBindMounts([
        { source: dataDir, target: '/var/lib/mysql' },
        { source: logDir, target: '/var/log/mysql' },
      ])
      .withExposedPorts({ container: 3306, host: port })
      .withWaitStrategy(Wait.forSuccessfulCommand("mariadb --execute 'SELECT 1'"))
      .withStartupTimeout(120_000);
    // testcontainers publishes on every interface; a database server belongs on loopback only.
    this.hostConfig.PortBindings = { '3306/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] };
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

function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

export async function startContainerHost(options: ContainerHostOptions): Promise<ContainerHost> {
  const dataDir = join(options.directory, 'data');
  const logDir = join(options.directory, 'log');
  await mkdir(dataDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const port = await freeLoopbackPort();
  const container = await new LoopbackMariadbContainer(options, port, dataDir, logDir).start();
  const grant = await container.exec([
    'mariadb',
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
