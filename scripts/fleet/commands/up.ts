import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCampaignFiles } from '../campaign-files.js';
import { runOk } from '../exec.js';
import { FleetPaths, REPO_ROOT } from '../fleet-paths.js';
import { fleetMemory, formatMemory, stopFleet } from '../fleet-processes.js';
import { startHaproxy } from '../haproxy.js';
import { renderClientCnf, renderHostEnv, renderMyCnf } from '../host-config.js';
import { FLEET_PORT_OFFSET, type HostSpec, planHosts, primaryOf } from '../host-plan.js';
import type { FleetManifest, FleetPids } from '../manifest.js';
import { fleetctl, installDatadir, prepareSysbench, provision, startReplication } from '../mariadb-host.js';
import { ensureBuilds, type MariadbBuilds } from '../mariadb-packages.js';
import { canListen, firstFreePort } from '../ports.js';
import { ensurePackages } from '../prerequisites.js';
import { sleep } from '../processes.js';
import { startShardApp } from '../shard-app-launch.js';
import { knownHostsLine, prepareSshd, startSshd, writeKnownHosts } from '../sshd.js';
import { startStateStore } from '../state-store.js';

/** A fresh fleet: the old one stopped by pid and wiped (the package cache is kept). */

export interface UpOptions {
  readonly servers: number;
  /** `--state mysql`: the fleet's campaign keeps its state in the fleet's state store. */
  readonly state?: 'file' | 'mysql';
  readonly httpPort: number;
  readonly log: (line: string) => void;
  readonly paths?: FleetPaths;
}

export const MYSQL_USER = 'dbwave';
export const SSH_USER = 'root';
const APP_BASE_PORT = 18_100 + FLEET_PORT_OFFSET;
const MAX_SOCKET_PATH = 100;
/** Hosts set up at once: install-db and sysbench are CPU-bound, and there are 2 cores. */
const PARALLEL_HOSTS = 3;

async function wipe(paths: FleetPaths): Promise<void> {
  if (!existsSync(paths.root)) return;
  for (const entry of await readdir(paths.root)) {
    if (entry !== 'cache') await rm(join(paths.root, entry), { recursive: true, force: true });
  }
}

/** The users' port of each HAProxy of the pair: the first on `--http-port`, the next on the port after it. */
function haproxyPorts(httpPort: number, paths: FleetPaths): number[] {
  return paths.haproxyInstances.map((_instance, index) => httpPort + index);
}

async function checkPortsFree(hosts: readonly HostSpec[], httpPorts: readonly number[]): Promise<void> {
  const wanted: [string, number][] = [
    ...httpPorts.map((port): [string, number] => ['127.0.0.1', port]),
    ...hosts.map((host): [string, number] => [host.address, host.mysqlPort]),
    ...hosts.map((host): [string, number] => ['127.0.0.1', host.appPort]),
  ];
  const busy: string[] = [];
  for (const [address, port] of wanted) {
    if (!(await canListen(address, port))) busy.push(`${address}:${port}`);
  }
  if (busy.length > 0) {
    throw new Error(
      `something else already listens on ${busy.join(', ')}: stop it (an old fleet?) and run up again`,
    );
  }
}

/** Runs `task` over `items`, at most `limit` at once. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  });
  await Promise.all(workers);
}

interface Secrets {
  readonly password: string;
  readonly clientPublicKey: string;
}

async function buildHost(
  paths: FleetPaths,
  host: HostSpec,
  hosts: readonly HostSpec[],
  builds: MariadbBuilds,
  sshPort: number,
  secrets: Secrets,
): Promise<number> {
  const hp = paths.host(host.name);
  await mkdir(join(hp.home, 'bin'), { recursive: true });
  await mkdir(hp.faults, { recursive: true });
  await mkdir(hp.tmpDir, { recursive: true });
  const primary = primaryOf(host, hosts);
  await writeFile(hp.myCnf, renderMyCnf(host, hp, primary ? { database: primary.database } : undefined));
  await writeFile(hp.clientCnf, renderClientCnf(hp, MYSQL_USER, secrets.password), { mode: 0o600 });
  await writeFile(
    hp.hostEnv,
    renderHostEnv({ name: host.name, fromPrefix: builds.from.prefix, toPrefix: builds.to.prefix }),
  );
  await copyFile(join(REPO_ROOT, 'scripts', 'fleet', 'fleetctl.sh'), hp.fleetctl);
  await chmod(hp.fleetctl, 0o755);
  // Every server starts on the older build.
  await symlink(builds.from.prefix, hp.current);
  await installDatadir(hp, builds.from.prefix);
  await prepareSshd(host, hp, sshPort, secrets.clientPublicKey);
  const sshd = await startSshd(hp);
  await fleetctl(hp, 'start');
  await provision(host, hp, {
    user: MYSQL_USER,
    password: secrets.password,
    alsoDatabases: primary ? [primary.database] : [],
  });
  await prepareSysbench(host, MYSQL_USER, secrets.password);
  return sshd;
}

async function writePids(paths: FleetPaths, pids: FleetPids): Promise<void> {
  await writeFile(paths.pidsJson, `${JSON.stringify(pids, null, 2)}\n`);
}

async function waitForShards(manifest: FleetManifest): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const server of manifest.servers) {
    for (;;) {
      const status = await fetch(server.url).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`${server.url} answers ${status || 'nothing'}, not 200`);
      await sleep(200);
    }
  }
}

export async function up(options: UpOptions): Promise<FleetManifest> {
  const started = Date.now();
  const { log } = options;
  const paths = options.paths ?? new FleetPaths();
  const hosts = planHosts(options.servers, APP_BASE_PORT);
  const longestSocket = Math.max(
    ...paths.haproxyInstances.map((instance) => instance.socket.length),
    paths.host(`db${hosts.length}`).socket.length,
  );
  if (longestSocket > MAX_SOCKET_PATH) {
    // Unix socket paths are limited to 108 bytes by the kernel; mariadbd would fail obscurely.
    throw new Error(`${paths.root} is too deep for unix sockets: set DBWAVE_FLEET_DIR to a shorter path`);
  }

  await stopFleet(paths, log);
  await wipe(paths);
  await ensurePackages(log);
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  const builds = await ensureBuilds(paths, log);
  const httpPorts = haproxyPorts(options.httpPort, paths);
  await checkPortsFree(hosts, httpPorts);
  const addresses = hosts.map((host) => host.address);
  // 22 like a real host when nothing (a system sshd on 0.0.0.0) holds it, else 2222.
  const sshPort = await firstFreePort(addresses, [22, 2222, 2322]);
  log(
    `building ${hosts.length} hosts: MariaDB ${builds.from.version} (upgrade to ${builds.to.version}), ssh port ${sshPort}`,
  );

  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dbwave-fleet', '-f', paths.identity]);
  const password = randomBytes(18).toString('base64url');
  await writeFile(paths.passwordFile, password, { mode: 0o600 });
  const secrets: Secrets = { password, clientPublicKey: await readFile(`${paths.identity}.pub`, 'utf8') };

  const sshdPids: Record<string, number> = {};
  await eachLimited(hosts, PARALLEL_HOSTS, async (host) => {
    sshdPids[host.name] = await buildHost(paths, host, hosts, builds, sshPort, secrets);
    log(`  ${host.name} up on ${host.address} (${host.hardwareClass.id}, ${host.shard})`);
  });
  for (const host of hosts) {
    const primary = primaryOf(host, hosts);
    if (primary) await startReplication(paths.host(host.name), primary, MYSQL_USER, password);
  }
  await writeKnownHosts(
    paths.knownHosts,
    await Promise.all(hosts.map((host) => knownHostsLine(host, paths.host(host.name), sshPort))),
  );

  const shardApp = await startShardApp(paths, hosts, MYSQL_USER, password);
  // Recorded at once: if anything after this fails, `down` (or the next `up`) still stops it.
  await writePids(paths, { shardApp, sshd: sshdPids });
  const [first, peer] = paths.haproxyInstances;
  const [firstPort, peerPort] = httpPorts;
  if (!first || !peer || !firstPort || !peerPort)
    throw new Error('the fleet runs a pair of HAProxy instances');
  const haproxy = await startHaproxy(paths, hosts, firstPort, first);
  await writePids(paths, { haproxy, shardApp, sshd: sshdPids });
  const haproxyPeer = await startHaproxy(paths, hosts, peerPort, peer);
  await writePids(paths, { haproxy, haproxyPeer, shardApp, sshd: sshdPids });

  const stateStore = await startStateStore(paths, builds.to.prefix, randomBytes(18).toString('base64url'));
  await writeCampaignFiles(
    { hosts, paths, sshPort },
    builds,
    new Date(),
    options.state === 'mysql' ? stateStore : undefined,
  );
  const httpBase = `http://127.0.0.1:${options.httpPort}`;
  const manifest: FleetManifest = {
    versions: { from: builds.from.version, to: builds.to.version },
    mysql: { user: MYSQL_USER, password },
    ssh: { user: SSH_USER, identity: paths.identity, knownHosts: paths.knownHosts },
    haproxy: { url: httpBase, socket: paths.haproxySocket },
    haproxyInstances: paths.haproxyInstances.map((instance, index) => ({
      url: `http://127.0.0.1:${httpPorts[index]}`,
      socket: instance.socket,
    })),
    campaign: paths.campaign,
    servers: hosts.map((host) => {
      const hp = paths.host(host.name);
      return {
        name: host.name,
        class: host.hardwareClass.id,
        host: host.address,
        port: host.mysqlPort,
        sshPort,
        shard: host.shard,
        url: `${httpBase}/shard/${host.shard}/`,
        dataDir: hp.dataDir,
        errorLog: hp.errorLog,
        home: hp.home,
        fleetctl: hp.fleetctl,
        database: host.database,
        socket: hp.socket,
        ...(host.cluster ? { cluster: host.cluster, role: host.role } : {}),
      };
    }),
    builds: {
      from: { debianVersion: builds.from.debianVersion, prefix: builds.from.prefix },
      to: { debianVersion: builds.to.debianVersion, prefix: builds.to.prefix },
    },
    stateStore,
    root: paths.root,
    createdAt: new Date().toISOString(),
  };
  await writeFile(paths.fleetJson, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  await waitForShards(manifest);

  if (options.state === 'mysql')
    log(
      `campaign state in ${stateStore.user}@${stateStore.host}:${stateStore.port}/${stateStore.database}: run dbwave state init PLAN once a plan exists`,
    );
  log(
    `fleet up: ${hosts.length} servers in ${((Date.now() - started) / 1000).toFixed(1)}s, ` +
      `${formatMemory(await fleetMemory(paths))}; ${paths.fleetJson}`,
  );
  return manifest;
}
