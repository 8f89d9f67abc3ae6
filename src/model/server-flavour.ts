/**
 * What a server is — MariaDB, Oracle MySQL or Percona Server, and which version — from its
 * `SELECT VERSION()` and `@@version_comment`, and every fact dbwave's steps draw from that: the
 * clean-shutdown line, the replication statements and their column names, the InnoDB status
 * variables it publishes, the pre-flush variables it has, and whether two versions are one
 * release series. The one place these rules live; no step assumes them.
 */

/** The server families dbwave tells apart. Percona Server follows MySQL's rules. */
export type Flavour = 'mariadb' | 'mysql' | 'percona';

/** major, minor, patch. */
export type VersionTriple = readonly [number, number, number];

/** A server's family and numeric version. */
export interface ServerFlavour {
  readonly flavour: Flavour;
  readonly version: VersionTriple;
}

/**
 * `10.11.18-MariaDB-0+deb12u1-log`, `5.5.5-10.4.3-MariaDB` (the old replication prefix),
 * `8.0.36`, `9.7.4-2` (Debian's MySQL, whose comment is `(Debian)`), `8.0.36-28` with comment
 * `Percona Server (GPL), Release 28, ...`, `5.1.58-log`. Undefined for text with no version.
 */
export function serverFlavour(versionText: string, versionComment = ''): ServerFlavour | undefined {
  const text = versionText.trim();
  const mariadb = /mariadb/i.test(text) || /mariadb/i.test(versionComment);
  const flavour: Flavour = mariadb ? 'mariadb' : /percona/i.test(versionComment) ? 'percona' : 'mysql';
  const withoutPrefix = mariadb ? text.replace(/^5\.5\.5-(?=\d+\.\d+)/, '') : text;
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(withoutPrefix);
  if (match === null) return undefined;
  return { flavour, version: [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] };
}

/** The one query that tells a server's flavour: its answer goes to `serverFlavour`. */
export const FLAVOUR_QUERY = 'SELECT VERSION() AS version, @@version_comment AS comment';

/** `version` is `floor` or later. */
export function versionAtLeast(version: readonly number[], floor: readonly number[]): boolean {
  for (const [index, part] of floor.entries()) {
    const have = version[index] ?? 0;
    if (have !== part) return have > part;
  }
  return true;
}

/** MySQL and Percona share one lineage of versions and rules. */
function isMysqlLineage(server: ServerFlavour): boolean {
  return server.flavour !== 'mariadb';
}

/** A human name: `MariaDB 10.11.19`, `MySQL 8.4.3`, `Percona Server 8.0.36`. */
export function describeServer(server: ServerFlavour): string {
  const name = { mariadb: 'MariaDB', mysql: 'MySQL', percona: 'Percona Server' }[server.flavour];
  return `${name} ${server.version.join('.')}`;
}

// ---------------------------------------------------------------- release series

/** The release series of a version text (`10.11` of `10.11.19`), undefined without one. */
export function releaseSeries(versionText: string): string | undefined {
  return /^(?:5\.5\.5-)?(\d+\.\d+)/.exec(versionText.trim())?.[1];
}

/**
 * `from` and `to` are in different release series (10.11 -> 11.8, 8.0 -> 8.4, 5.1 -> 5.5): the
 * new version may rewrite the datadir so that the old one cannot open it again (MariaDB 11.x
 * removes the change buffer; MySQL 8.x upgrades its data dictionary). Unreadable versions
 * count as a change: the safe side.
 */
export function changesSeries(fromVersion: string, toVersion: string): boolean {
  const from = releaseSeries(fromVersion);
  const to = releaseSeries(toVersion);
  return from === undefined || to === undefined || from !== to;
}

// ---------------------------------------------------------------- error log lines

/**
 * The clean-shutdown line, by shape:
 * - MariaDB (all), MySQL before 8.0: `... [Note] /usr/sbin/mariadbd: Shutdown complete` with
 *   nothing after it on the line;
 * - MySQL 8.0 and later (and Percona 8.x): `... [System] [MY-010910] [Server] /usr/sbin/mysqld:
 *   Shutdown complete (mysqld 8.0.36)  MySQL Community Server - GPL.` (8.4 adds `MySQL Server -
 *   end.` on the next line).
 * A crash writes neither; an aborted start writes the second too, but the shutdown step reads
 * only what the log gained since its stop.
 */
const SHUTDOWN_COMPLETE_AT_END = /: Shutdown complete\s*$/m;
const SHUTDOWN_COMPLETE_WITH_VERSION = /: Shutdown complete \(mysqld [^)]+\)/m;

/** The clean-shutdown line a server of this flavour writes; both shapes when it is not known. */
export function cleanShutdownLines(server: ServerFlavour | undefined): readonly RegExp[] {
  if (server === undefined) return [SHUTDOWN_COMPLETE_AT_END, SHUTDOWN_COMPLETE_WITH_VERSION];
  return isMysqlLineage(server) && versionAtLeast(server.version, [8, 0, 0])
    ? [SHUTDOWN_COMPLETE_WITH_VERSION]
    : [SHUTDOWN_COMPLETE_AT_END];
}

/** The error log text holds the clean-shutdown line of this server (of any, when unknown). */
export function hasCleanShutdownLine(text: string, server: ServerFlavour | undefined): boolean {
  return cleanShutdownLines(server).some((line) => line.test(text));
}

/**
 * The "ready for connections" announcement: MariaDB and MySQL before 8.0 in two lines
 * (`.../mariadbd: ready for connections.` then `Version: '10.11.19-MariaDB...'  socket: ...`),
 * MySQL 8.0 and later in one (`.../mysqld: ready for connections. Version: '8.0.36'  socket:
 * ...`). Which shape a log holds is read from the log itself, since the start may be of a
 * version the journal does not know yet. MySQL's X Plugin also says "ready for connections" but
 * is not the server (`X Plugin ready for connections. Bind-address: ...`).
 */
export const START_LINE = {
  ready: /(?:mysqld|mariadbd)(?:\.exe)?: ready for connections\./,
  versionSameLine: /ready for connections\.\s+Version: '([^']+)'/,
  versionNextLine: /^\s*Version: '([^']+)'/,
} as const;

/**
 * What a crash leaves in the error log, by shape:
 * - `signal`: the dying server's own line, MySQL and MariaDB alike (`240716 17:42:53 [ERROR]
 *   mysqld got signal 6 ;`, MariaDB 10.10; MySQL 8 prefixes it with its ISO time and `UTC - `);
 * - `recovery`: the next start's InnoDB crash recovery: MariaDB 10.8 and later `[Note] InnoDB:
 *   Starting crash recovery from checkpoint LSN=44894` (this fleet's 10.11.18 after a SIGKILL),
 *   MySQL 5.x and MariaDB before 10.8 `InnoDB: Database was not shutdown normally!` then
 *   `InnoDB: Starting crash recovery.`, MySQL 8 `[Note] [MY-012552] [InnoDB] Starting crash
 *   recovery.`. A SIGKILL or an OOM kill writes no signal line: the recovery is all there is.
 */
export const CRASH_LINE = {
  signal: /\bm(?:ysql|ariadb)d got signal \d+/,
  recovery: /(?:InnoDB:|\[InnoDB\]) (?:Starting crash recovery|Database was not shut ?down normally)/,
} as const;

// ---------------------------------------------------------------- replication

/** Which replication statements a server understands, and the names of their columns. */
export interface ReplicationStatements {
  /** The server's own replication source: `SHOW REPLICA STATUS` or `SHOW SLAVE STATUS`. */
  readonly replicaStatus: string;
  /** The replicas registered with it: `SHOW REPLICAS`, `SHOW REPLICA HOSTS` or `SHOW SLAVE HOSTS`. */
  readonly replicaHosts: string;
  /** Columns of `replicaStatus` as this server names them. */
  readonly columns: ReplicaStatusColumns;
}

/** SHOW SLAVE STATUS and MySQL's SHOW REPLICA STATUS name their columns differently. */
export interface ReplicaStatusColumns {
  readonly ioRunning: string;
  readonly sqlRunning: string;
  readonly secondsBehind: string;
  readonly sourceHost: string;
  readonly sourcePort: string;
  readonly sourceServerId: string;
}

const SLAVE_COLUMNS: ReplicaStatusColumns = {
  ioRunning: 'Slave_IO_Running',
  sqlRunning: 'Slave_SQL_Running',
  secondsBehind: 'Seconds_Behind_Master',
  sourceHost: 'Master_Host',
  sourcePort: 'Master_Port',
  sourceServerId: 'Master_Server_Id',
};

/** MySQL 8.0.22+ renamed the columns with the statement. */
const REPLICA_COLUMNS: ReplicaStatusColumns = {
  ioRunning: 'Replica_IO_Running',
  sqlRunning: 'Replica_SQL_Running',
  secondsBehind: 'Seconds_Behind_Source',
  sourceHost: 'Source_Host',
  sourcePort: 'Source_Port',
  sourceServerId: 'Source_Server_Id',
};

const SLAVE_FORMS: ReplicationStatements = {
  replicaStatus: 'SHOW SLAVE STATUS',
  replicaHosts: 'SHOW SLAVE HOSTS',
  columns: SLAVE_COLUMNS,
};

/**
 * MySQL renamed SLAVE to REPLICA in 8.0.22 (8.4 refuses the old forms) and renamed the columns
 * with it; MariaDB renamed the statements in 10.5.1 but kept the Slave_ / Master_ column names
 * (and has no `SHOW REPLICAS`: its list is `SHOW REPLICA HOSTS`). Older servers know only the
 * SLAVE forms, which is also the answer for a version that cannot be read: every MySQL and
 * MariaDB but MySQL 8.4 and later still accepts them.
 */
export function replicationStatements(server: ServerFlavour | undefined): ReplicationStatements {
  if (server === undefined) return SLAVE_FORMS;
  if (server.flavour === 'mariadb') {
    return versionAtLeast(server.version, [10, 5, 1])
      ? { replicaStatus: 'SHOW REPLICA STATUS', replicaHosts: 'SHOW REPLICA HOSTS', columns: SLAVE_COLUMNS }
      : SLAVE_FORMS;
  }
  return versionAtLeast(server.version, [8, 0, 22])
    ? { replicaStatus: 'SHOW REPLICA STATUS', replicaHosts: 'SHOW REPLICAS', columns: REPLICA_COLUMNS }
    : SLAVE_FORMS;
}

/**
 * Every channel at once: MariaDB's `SHOW ALL SLAVES STATUS` (10.0+, multi-source; it kept the
 * name after 10.5), else the server's own status statement (MySQL lists all its channels there).
 */
export function allChannelsStatement(server: ServerFlavour | undefined): string {
  if (server?.flavour === 'mariadb' && versionAtLeast(server.version, [10, 0, 0])) {
    return 'SHOW ALL SLAVES STATUS';
  }
  return replicationStatements(server).replicaStatus;
}

// ---------------------------------------------------------------- InnoDB status

/** Where a server publishes the history list length the purge still has to do. */
export type HistoryListSource =
  /**
   * `SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'`: XtraDB's (MariaDB 5.5 to 10.1,
   * Percona 5.5+) and MariaDB's own InnoDB from 10.5.0.
   */
  | 'status'
  /** `information_schema.INNODB_METRICS` row `trx_rseg_history_len` (MySQL 5.6+, MariaDB 10.2-10.4). */
  | 'metrics'
  /**
   * Only in SHOW ENGINE INNODB STATUS text (MySQL 5.1/5.5): the sampler parses it, the
   * shutdown's progress line goes without.
   */
  | 'engine-status';

/** The InnoDB status this server publishes. */
export interface InnodbStatusFacts {
  /** `Innodb_buffer_pool_pages_dirty`: every InnoDB since 5.0. */
  readonly dirtyPages: 'Innodb_buffer_pool_pages_dirty';
  readonly historyList: HistoryListSource;
  /** information_schema.INNODB_METRICS exists (MySQL 5.6+, MariaDB 10.0+). */
  readonly innodbMetrics: boolean;
}

/**
 * What this server's InnoDB publishes. An unknown server is asked for every source in turn.
 * MariaDB's history list: XtraDB, its default engine up to 10.1, had the status variable; 10.2
 * went back to MySQL's InnoDB, which has only the INNODB_METRICS row, and 10.5.0 added the
 * variable to InnoDB (MariaDB's documentation of Innodb_history_list_length: "XtraDB only until
 * introduced in MariaDB 10.5.0").
 */
export function innodbStatusFacts(server: ServerFlavour | undefined): InnodbStatusFacts {
  const dirtyPages = 'Innodb_buffer_pool_pages_dirty';
  if (server === undefined) return { dirtyPages, historyList: 'status', innodbMetrics: true };
  if (server.flavour === 'mariadb') {
    const innodbOnly =
      versionAtLeast(server.version, [10, 2, 0]) && !versionAtLeast(server.version, [10, 5, 0]);
    return {
      dirtyPages,
      historyList: innodbOnly ? 'metrics' : 'status',
      innodbMetrics: versionAtLeast(server.version, [10, 0, 0]),
    };
  }
  const metrics = versionAtLeast(server.version, [5, 6, 0]);
  // Percona's XtraDB publishes it as a status variable from 5.5 on.
  const status = server.flavour === 'percona' && versionAtLeast(server.version, [5, 5, 0]);
  return {
    dirtyPages,
    historyList: status ? 'status' : metrics ? 'metrics' : 'engine-status',
    innodbMetrics: metrics,
  };
}

/** A place the InnoDB sampler could read that this server does not have, and why. */
export interface AbsentInnodbSource {
  /** A status variable (`Innodb_rows_read`) or `information_schema.INNODB_METRICS`. */
  readonly source: string;
  readonly reason: string;
}

/** The status variables that count InnoDB's rows: MySQL's, and MariaDB's before 10.6. */
const INNODB_ROW_COUNTERS = [
  'Innodb_rows_read',
  'Innodb_rows_inserted',
  'Innodb_rows_updated',
  'Innodb_rows_deleted',
];

/**
 * The sources the InnoDB sampler may read that this server lacks, each with the reason the
 * journal gives. Measured on this machine's servers (SHOW GLOBAL STATUS of MariaDB 10.11.19 and
 * 11.8.9, MySQL 9.7.4: test/unit/stats/fixtures) and from the projects' documentation. Empty for
 * an unknown server: it is asked for everything.
 */
export function absentInnodbSources(server: ServerFlavour | undefined): readonly AbsentInnodbSource[] {
  if (server === undefined) return [];
  const name = describeServer(server);
  const facts = innodbStatusFacts(server);
  const absent: AbsentInnodbSource[] = [];
  if (!facts.innodbMetrics) {
    const since = server.flavour === 'mariadb' ? 'MariaDB 10.0' : 'MySQL 5.6';
    absent.push({
      source: 'information_schema.INNODB_METRICS',
      reason: `${name} has no INNODB_METRICS (${since} added it)`,
    });
  }
  if (facts.historyList !== 'status') {
    const where =
      facts.historyList === 'metrics' ? 'INNODB_METRICS trx_rseg_history_len' : 'SHOW ENGINE INNODB STATUS';
    absent.push({
      source: 'Innodb_history_list_length',
      reason: `${name} has no Innodb_history_list_length status variable (read from ${where})`,
    });
  }
  if (server.flavour === 'mariadb' && versionAtLeast(server.version, [10, 6, 0])) {
    for (const source of INNODB_ROW_COUNTERS) {
      absent.push({
        source,
        reason: `${name} has no ${source} (MariaDB 10.6 dropped it; rows come from Rows_read and Handler_*)`,
      });
    }
  }
  return absent;
}

// ---------------------------------------------------------------- pre-flush variables

/** The system variables the pre-flush may change. */
export const PREFLUSH_VARIABLES = [
  'innodb_max_dirty_pages_pct',
  'innodb_io_capacity',
  'innodb_io_capacity_max',
] as const;
export type PreflushVariable = (typeof PREFLUSH_VARIABLES)[number];

/**
 * Since when each flavour has each pre-flush variable: what the journal says when a server
 * lacks one. (MySQL 5.1 with its built-in InnoDB has neither io_capacity; the InnoDB plugin
 * 1.0.4 added innodb_io_capacity, 5.5.4 made it standard; innodb_io_capacity_max came with
 * 5.6.6 and MariaDB 10.0.)
 */
const PREFLUSH_VARIABLE_SINCE: {
  readonly [V in PreflushVariable]: { readonly [F in Flavour]: VersionTriple };
} = {
  innodb_max_dirty_pages_pct: { mariadb: [5, 1, 0], mysql: [5, 0, 0], percona: [5, 0, 0] },
  innodb_io_capacity: { mariadb: [5, 1, 0], mysql: [5, 5, 4], percona: [5, 1, 0] },
  innodb_io_capacity_max: { mariadb: [10, 0, 0], mysql: [5, 6, 6], percona: [5, 6, 6] },
};

/** The pre-flush variables a server of this flavour is expected to have. */
export function expectedPreflushVariables(server: ServerFlavour | undefined): readonly PreflushVariable[] {
  if (server === undefined) return PREFLUSH_VARIABLES;
  return PREFLUSH_VARIABLES.filter((name) =>
    versionAtLeast(server.version, PREFLUSH_VARIABLE_SINCE[name][server.flavour]),
  );
}

/**
 * Why a server lacks a variable, for the journal: `MySQL 5.1.44 has no innodb_io_capacity_max
 * (MySQL has it from 5.6.6)`. The server's own `SHOW GLOBAL VARIABLES` decides; this explains.
 */
export function missingVariableReason(name: PreflushVariable, server: ServerFlavour | undefined): string {
  if (server === undefined) return `the server has no ${name} (SHOW GLOBAL VARIABLES)`;
  const since = PREFLUSH_VARIABLE_SINCE[name][server.flavour];
  const expected = versionAtLeast(server.version, since);
  return expected
    ? `${describeServer(server)} has no ${name} (SHOW GLOBAL VARIABLES; a build without it)`
    : `${describeServer(server)} has no ${name} (${describeServer({ ...server, version: since }).replace(/ [\d.]+$/, '')} has it from ${since.join('.')})`;
}
