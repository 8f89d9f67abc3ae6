import { join } from 'node:path';
import type { HostPaths } from './fleet-paths.js';
import type { HostSpec } from './host-plan.js';
import { isRoot } from './prerequisites.js';

/**
 * The configuration files of one host, rendered as text. Sized for many servers on a laptop:
 * small buffer pools and redo logs, no performance_schema, no name resolution.
 */

export interface ReplicationSource {
  readonly database: string;
}

/** The lines every mariadbd of the fleet has: its build (`usr`), its files, its address. */
function whereItRuns(usr: string, paths: HostPaths, address: string, port: number): string[] {
  return [
    `basedir=${usr}`,
    `lc-messages-dir=${join(usr, 'share', 'mysql')}`,
    `plugin-dir=${join(usr, 'lib', 'mysql', 'plugin')}`,
    `datadir=${paths.dataDir}`,
    `socket=${paths.socket}`,
    // Its own tmpdir: mariadbd deletes every #sql* file in tmpdir at startup, which in a shared
    // /tmp destroys other servers' live temporary tables.
    `tmpdir=${paths.tmpDir}`,
    `pid-file=${paths.pidFile}`,
    `log-error=${paths.errorLog}`,
    `bind-address=${address}`,
    `port=${port}`,
  ];
}

export function renderMyCnf(host: HostSpec, paths: HostPaths, replicates?: ReplicationSource): string {
  const lines = [
    '# Written by `npm run fleet -- up`. basedir and the message files follow the `current` symlink,',
    '# so switching it is a real binary upgrade on this datadir.',
    '[mariadbd]',
    ...whereItRuns(join(paths.current, 'usr'), paths, host.address, host.mysqlPort),
    'user=root',
    `server-id=${host.serverId}`,
    'skip-name-resolve',
    'performance_schema=OFF',
    `innodb_buffer_pool_size=${host.hardwareClass.bufferPool}`,
    'innodb_log_file_size=32M',
    'innodb_log_buffer_size=4M',
    // Local disks are shared by every host: do not fsync each commit.
    'innodb_flush_log_at_trx_commit=2',
    'key_buffer_size=1M',
    'aria_pagecache_buffer_size=8M',
    'max_connections=100',
    'table_open_cache=400',
  ];
  if (host.role === 'primary') {
    lines.push('log_bin=mariadb-bin', 'binlog_format=ROW', 'sync_binlog=0', 'expire_logs_days=1');
  }
  if (replicates) {
    // Only the primary's shard replicates: sysbench and fault tables are local to each host,
    // so load on both members never collides.
    lines.push('relay_log=relay-bin', `replicate_wild_do_table=${replicates.database}.%`);
  }
  return `${lines.join('\n')}\n`;
}

/** Read by mariadb-upgrade and the mariadb client on the host side (mode 0600). */
export function renderClientCnf(paths: HostPaths, user: string, password: string): string {
  return ['[client]', `user=${user}`, `password=${password}`, `socket=${paths.socket}`, ''].join('\n');
}

export interface HostEnv {
  readonly name: string;
  readonly fromPrefix: string;
  readonly toPrefix: string;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** Sourced by fleetctl: the only host-specific input it has. */
export function renderHostEnv(env: HostEnv): string {
  return [
    `FLEET_HOST_NAME=${shellQuote(env.name)}`,
    `FLEET_FROM_PREFIX=${shellQuote(env.fromPrefix)}`,
    `FLEET_TO_PREFIX=${shellQuote(env.toPrefix)}`,
    '',
  ].join('\n');
}

/** A mariadbd that is no host of the campaign (the state store, a test's own): where it runs from. */
export interface StandaloneServer {
  /** The unpacked build: `<prefix>/usr/sbin/mariadbd`. */
  readonly prefix: string;
  readonly paths: HostPaths;
  readonly address: string;
  readonly port: number;
  /** Its sizes and durability, `key=value` lines after the common ones. */
  readonly settings: readonly string[];
}

/** The my.cnf of a standalone mariadbd: its build, its files, its address, then its own settings. */
export function renderStandaloneMyCnf(server: StandaloneServer): string {
  return [
    '[mariadbd]',
    ...whereItRuns(join(server.prefix, 'usr'), server.paths, server.address, server.port),
    ...(isRoot() ? ['user=root'] : []),
    'skip-name-resolve',
    'performance_schema=OFF',
    'key_buffer_size=1M',
    'aria_pagecache_buffer_size=8M',
    ...server.settings,
    '',
  ].join('\n');
}
