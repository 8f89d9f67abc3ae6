/**
 * Which replication statements a server understands, from its `SELECT VERSION()`: the one place
 * the rule lives. MySQL renamed SLAVE to REPLICA in 8.0.22 (8.4 refuses the old forms), MariaDB
 * in 10.5.1 (where the list of replicas is `SHOW REPLICA HOSTS`; MariaDB has no `SHOW REPLICAS`).
 * Older servers know only the SLAVE forms.
 */
export interface ReplicationStatements {
  /** The server's own replication source: `SHOW REPLICA STATUS` or `SHOW SLAVE STATUS`. */
  readonly replicaStatus: string;
  /** The replicas registered with it: `SHOW REPLICAS`, `SHOW REPLICA HOSTS` or `SHOW SLAVE HOSTS`. */
  readonly replicaHosts: string;
}

/** A server's family and numeric version, as `SELECT VERSION()` tells them. */
export interface ServerRelease {
  readonly flavor: 'mariadb' | 'mysql';
  /** major, minor, patch. */
  readonly version: readonly [number, number, number];
}

const SLAVE_FORMS: ReplicationStatements = {
  replicaStatus: 'SHOW SLAVE STATUS',
  replicaHosts: 'SHOW SLAVE HOSTS',
};

/**
 * `10.11.18-MariaDB-0+deb12u1-log`, `5.5.5-10.4.3-MariaDB` (the old replication prefix),
 * `8.0.36`, `8.0.36-28` (Percona) or `5.7.44-log`. Undefined for text with no version in it.
 */
export function serverRelease(versionText: string): ServerRelease | undefined {
  const text = versionText.trim();
  const flavor = /mariadb/i.test(text) ? 'mariadb' : 'mysql';
  const withoutPrefix = flavor === 'mariadb' ? text.replace(/^5\.5\.5-(?=\d+\.\d+)/, '') : text;
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(withoutPrefix);
  if (match === null) return undefined;
  return { flavor, version: [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] };
}

/**
 * The statements for a server of this version. A version that cannot be read gets the SLAVE
 * forms: every MySQL and MariaDB but MySQL 8.4 and later still accepts them.
 */
export function replicationStatements(versionText: string): ReplicationStatements {
  const release = serverRelease(versionText);
  if (release === undefined) return SLAVE_FORMS;
  if (release.flavor === 'mariadb') {
    return atLeast(release.version, [10, 5, 1])
      ? { replicaStatus: 'SHOW REPLICA STATUS', replicaHosts: 'SHOW REPLICA HOSTS' }
      : SLAVE_FORMS;
  }
  return atLeast(release.version, [8, 0, 22])
    ? { replicaStatus: 'SHOW REPLICA STATUS', replicaHosts: 'SHOW REPLICAS' }
    : SLAVE_FORMS;
}

function atLeast(version: readonly number[], floor: readonly number[]): boolean {
  for (const [index, part] of floor.entries()) {
    const have = version[index] ?? 0;
    if (have !== part) return have > part;
  }
  return true;
}
