import { readFile } from 'node:fs/promises';

/**
 * `.fleet/fleet.json`: what `up` built, for tests and tools. Its keys are a contract with the
 * integration tests and the demo; add keys, never rename them.
 */

export interface FleetServer {
  readonly name: string;
  /** Hardware class id, e.g. `fleet-small`. */
  readonly class: string;
  readonly host: string;
  readonly port: number;
  readonly sshPort: number;
  readonly shard: string;
  /** The shard through HAProxy: 200 when served, 503 while its backend is in maintenance. */
  readonly url: string;
  readonly dataDir: string;
  readonly errorLog: string;
  /** The host's home under .fleet/hosts/. */
  readonly home: string;
  /** Absolute path of the host's control script. */
  readonly fleetctl: string;
  /** The shard's database on this server. */
  readonly database: string;
  readonly socket: string;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
}

export interface FleetManifest {
  readonly versions: { readonly from: string; readonly to: string };
  readonly mysql: { readonly user: string; readonly password: string };
  readonly ssh: { readonly user: string; readonly identity: string; readonly knownHosts: string };
  /** The first HAProxy of the pair (the users' URL and runtime API every older test uses). */
  readonly haproxy: { readonly url: string; readonly socket: string };
  /** Every HAProxy of the pair, the first one first: an HA pair, one per datacenter. */
  readonly haproxyInstances: readonly { readonly url: string; readonly socket: string }[];
  /** Absolute path of `.fleet/campaign.yaml`. */
  readonly campaign: string;
  readonly servers: readonly FleetServer[];
  /** Debian versions and prefixes of the two builds. */
  readonly builds: {
    readonly from: { readonly debianVersion: string; readonly prefix: string };
    readonly to: { readonly debianVersion: string; readonly prefix: string };
  };
  /**
   * The state store: a MariaDB server that is not part of the campaign, for `state: { store:
   * mysql }` (`up --state mysql` writes the campaign with it).
   */
  readonly stateStore: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    readonly database: string;
  };
  /** Absolute path of the `.fleet` directory. */
  readonly root: string;
  readonly createdAt: string;
}

/** Pids of the fleet's own daemons (mariadbd pids live in each host's pid file). */
export interface FleetPids {
  readonly haproxy?: number;
  /** The second HAProxy of the pair. */
  readonly haproxyPeer?: number;
  readonly shardApp?: number;
  readonly sshd: Readonly<Record<string, number>>;
}

export async function readManifest(file: string): Promise<FleetManifest> {
  return JSON.parse(await readFile(file, 'utf8')) as FleetManifest;
}

export async function readPids(file: string): Promise<FleetPids> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as FleetPids;
  } catch {
    return { sshd: {} };
  }
}
