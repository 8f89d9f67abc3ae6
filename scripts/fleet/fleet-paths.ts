import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where everything of the local fleet lives. One place, so that `up`, `down`, the tests and the
 * control script agree on every path. All paths are absolute: they end up in fleet.json, in
 * YAML that dbwave reads from another working directory, and in configs of daemons.
 */

/** The repository root: scripts/fleet/ is two levels below it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HostPaths {
  readonly home: string;
  readonly myCnf: string;
  readonly hostEnv: string;
  readonly clientCnf: string;
  readonly fleetctl: string;
  readonly current: string;
  readonly dataDir: string;
  readonly errorLog: string;
  readonly pidFile: string;
  readonly socket: string;
  readonly stdoutLog: string;
  readonly sshDir: string;
  readonly sshdConfig: string;
  readonly sshdPid: string;
  readonly sshdLog: string;
  readonly hostKey: string;
  readonly authorizedKeys: string;
  readonly faults: string;
  readonly tmpDir: string;
}

/** One HAProxy of the fleet's pair: its config, pid file and runtime API socket. */
export interface HaproxyInstancePaths {
  readonly cfg: string;
  readonly pid: string;
  readonly socket: string;
}

export class FleetPaths {
  /** `root` defaults to `<repo>/.fleet`; DBWAVE_FLEET_DIR moves it (absolute path). */
  constructor(readonly root: string = process.env.DBWAVE_FLEET_DIR ?? join(REPO_ROOT, '.fleet')) {}

  /** Kept across `up`: downloaded packages and unpacked prefixes. Everything else is wiped. */
  get cache(): string {
    return join(this.root, 'cache');
  }
  get debs(): string {
    return join(this.cache, 'debs');
  }
  /** `<cache>/prefixes/<version>/usr/sbin/mariadbd` */
  prefix(version: string): string {
    return join(this.cache, 'prefixes', version);
  }
  get hostsDir(): string {
    return join(this.root, 'hosts');
  }
  get identity(): string {
    return join(this.root, 'id_ed25519');
  }
  get knownHosts(): string {
    return join(this.root, 'known_hosts');
  }
  get passwordFile(): string {
    return join(this.root, 'mysql.password');
  }
  get fleetJson(): string {
    return join(this.root, 'fleet.json');
  }
  get pidsJson(): string {
    return join(this.root, 'pids.json');
  }
  get campaign(): string {
    return join(this.root, 'campaign.yaml');
  }
  get classesDir(): string {
    return join(this.root, 'hardware-classes');
  }
  get haproxyCfg(): string {
    return join(this.root, 'haproxy.cfg');
  }
  get haproxyPid(): string {
    return join(this.root, 'haproxy.pid');
  }
  get haproxySocket(): string {
    return join(this.root, 'haproxy.sock');
  }
  /**
   * The fleet's two HAProxy instances, an HA pair as one per datacenter would be: the first is
   * the one of `haproxyCfg`, `haproxyPid` and `haproxySocket`.
   */
  get haproxyInstances(): readonly HaproxyInstancePaths[] {
    return [
      { cfg: this.haproxyCfg, pid: this.haproxyPid, socket: this.haproxySocket },
      {
        cfg: join(this.root, 'haproxy-b.cfg'),
        pid: join(this.root, 'haproxy-b.pid'),
        socket: join(this.root, 'haproxy-b.sock'),
      },
    ];
  }
  get haproxyLog(): string {
    return join(this.root, 'haproxy.log');
  }
  get maintenancePage(): string {
    return join(this.root, 'maintenance.html');
  }
  get shardAppConfig(): string {
    return join(this.root, 'shard-app.json');
  }
  get shardAppLog(): string {
    return join(this.root, 'shard-app.log');
  }
  get loadDir(): string {
    return join(this.root, 'load');
  }

  host(name: string): HostPaths {
    return hostPathsAt(join(this.hostsDir, name));
  }

  /** The MariaDB server that holds campaign state (not a host of the campaign): `.fleet/state-store/`. */
  get stateStore(): HostPaths {
    return hostPathsAt(join(this.root, 'state-store'));
  }
  /** The state store user's password (mode 0600), the campaign's `state.passwordFile`. */
  get stateStorePasswordFile(): string {
    return join(this.root, 'state-store.password');
  }
}

/** The files of one mariadbd (and, for a campaign's host, its sshd) under `home`. */
function hostPathsAt(home: string): HostPaths {
  const sshDir = join(home, 'ssh');
  return {
    home,
    myCnf: join(home, 'my.cnf'),
    hostEnv: join(home, 'host.env'),
    clientCnf: join(home, 'client.cnf'),
    fleetctl: join(home, 'bin', 'fleetctl'),
    current: join(home, 'current'),
    dataDir: join(home, 'data'),
    errorLog: join(home, 'error.log'),
    pidFile: join(home, 'mariadbd.pid'),
    socket: join(home, 'mysqld.sock'),
    stdoutLog: join(home, 'mariadbd.out'),
    sshDir,
    sshdConfig: join(sshDir, 'sshd_config'),
    sshdPid: join(sshDir, 'sshd.pid'),
    sshdLog: join(sshDir, 'sshd.log'),
    hostKey: join(sshDir, 'ssh_host_ed25519_key'),
    authorizedKeys: join(sshDir, 'authorized_keys'),
    faults: join(home, 'faults'),
    tmpDir: join(home, 'tmp'),
  };
}
