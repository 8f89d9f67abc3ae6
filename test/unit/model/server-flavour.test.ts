import { describe, expect, it } from 'vitest';
import { serverStarts } from '../../../src/gates/server-start-line.js';
import {
  allChannelsStatement,
  changesSeries,
  expectedPreflushVariables,
  hasCleanShutdownLine,
  innodbStatusFacts,
  missingVariableReason,
  replicationStatements,
  serverFlavour,
} from '../../../src/model/server-flavour.js';

/**
 * Real error-log lines and version texts, each with where it was copied from. "library id N" is
 * a public GitHub file found with /work/.library's find_string (its id for read_file); "design"
 * is /work/shared/design.md's facts measured on this machine (2026-12-02, Debian sid's
 * mysql-server-core 9.7.4 in a chroot); "fleet" is the local fleet's MariaDB 10.11.
 */
const SHUTDOWNS = [
  {
    server: 'MySQL 5.1',
    version: '5.1.41-3ubuntu12',
    comment: '(Ubuntu)',
    // library id 56970429273 (syslog of a MySQL 5.1 server, 2010)
    line: 'May 16 01:47:24 server mysqld[21343]: 100516  1:47:24 [Note] /usr/sbin/mysqld: Shutdown complete',
  },
  {
    server: 'MySQL 5.7',
    version: '5.7.24-log',
    comment: 'MySQL Community Server (GPL)',
    // library id 56795296879 (a 5.7 error log posted in a forum thread, 2018)
    line: '2018-12-05T11:56:23.373409Z 0 [Note] /usr/sbin/mysqld: Shutdown complete',
  },
  {
    server: 'MariaDB 10.7',
    version: '10.7.3-MariaDB-1:10.7.3+maria~focal',
    comment: 'mariadb.org binary distribution',
    // library id 12540658731 (docker logs of mariadb:10.7.3)
    line: '2022-04-15 17:07:27 0 [Note] mariadbd: Shutdown complete',
  },
  {
    server: 'MariaDB 10.11',
    version: '10.11.19-MariaDB-0+deb12u1-log',
    comment: 'Debian 12',
    // fleet: what the local fleet's mariadbd writes (test/unit/engine/fakes copy it)
    line: '2026-11-24  2:00:00 0 [Note] /usr/sbin/mariadbd: Shutdown complete',
  },
  {
    server: 'MariaDB 11.6',
    version: '11.6.2-MariaDB-ubu2404',
    comment: 'mariadb.org binary distribution',
    // library id 3808337796 (docker logs of mariadb:11.6.2)
    line: '2024-11-28 14:50:14 0 [Note] mariadbd: Shutdown complete',
  },
  {
    server: 'MySQL 8.0',
    version: '8.0.40',
    comment: 'MySQL Community Server - GPL',
    // library id 4944567460 (docker compose logs of mysql:8.0.40)
    line: '2025-04-02T07:55:01.729350Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.0.40)  MySQL Community Server - GPL.',
  },
  {
    server: 'MySQL 8.4',
    version: '8.4.3',
    comment: 'MySQL Community Server - GPL',
    // library id 28558177141 (docker logs of mysql:8.4.3): 8.4 adds "MySQL Server - end." after it
    line: '2024-10-24T23:37:01.702739Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.4.3)  MySQL Community Server - GPL.\n2024-10-24T23:37:01.702771Z 0 [System] [MY-015016] [Server] MySQL Server - end.',
  },
  {
    server: 'Percona Server 8.4',
    version: '8.4.6-6',
    comment: 'Percona Server (GPL), Release 6, Revision 9927a2fb',
    // library id 47833381835 (a Percona 8.4.6-6 error log)
    line: '2025-11-10T11:46:28.774075+08:00 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.4.6-6)  Percona Server (GPL), Release 6, Revision 9927a2fb.',
  },
  {
    server: 'MySQL 9.7 (Debian sid)',
    version: '9.7.4-2',
    comment: '(Debian)',
    // design: sid's mysql-server-core 9.7.4 run here
    line: '[System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 9.7.4-2)  (Debian).',
  },
  {
    server: 'MariaDB 5.5',
    version: '5.5.60-MariaDB',
    comment: 'MariaDB Server',
    // library id 40002184762 (CentOS 7's mariadb-server 5.5.60 error log, 2019): after InnoDB's own line
    line: '190811  9:39:32  InnoDB: Shutdown completed; log sequence number 1597945\n190811  9:39:32 [Note] /usr/libexec/mysqld: Shutdown complete',
  },
  {
    server: 'MariaDB 11.8 (Debian trixie)',
    version: '11.8.9-MariaDB-0+deb13u1 from Debian',
    comment: '-- Please help get to 10k stars at https://github.com/MariaDB/Server',
    // container: dbwave-mariadb:11.8.9 stopped with SIGTERM here, 2026-12-02
    line: '2026-12-02 19:36:34 0 [Note] Shutdown completed; log sequence number 45568; transaction id 15\n2026-12-02 19:36:34 0 [Note] mariadbd: Shutdown complete',
  },
] as const;

describe('a server’s flavour and version', () => {
  it.each([
    ['10.11.18-MariaDB-0+deb12u1-log', 'Debian 12', 'mariadb', [10, 11, 18]],
    ['5.5.5-10.4.3-MariaDB', '', 'mariadb', [10, 4, 3]],
    ['5.5.34-MariaDB-1~raring-log', 'mariadb.org binary distribution', 'mariadb', [5, 5, 34]],
    ['5.1.58-log', 'Source distribution', 'mysql', [5, 1, 58]],
    ['8.0.36-28', 'Percona Server (GPL), Release 28, Revision 47601f19', 'percona', [8, 0, 36]],
    ['9.7.4-2', '(Debian)', 'mysql', [9, 7, 4]],
  ] as const)('%s / %s is %s %j', (version, comment, flavour, triple) => {
    expect(serverFlavour(version, comment)).toEqual({ flavour, version: triple });
  });

  it('is unknown for text with no version', () => {
    expect(serverFlavour('not a version')).toBeUndefined();
  });
});

describe('the clean-shutdown line', () => {
  it.each(SHUTDOWNS)('$server writes it as its own flavour’s line', ({ version, comment, line }) => {
    const flavour = serverFlavour(version, comment);
    expect(hasCleanShutdownLine(`${line}\n`, flavour)).toBe(true);
    // Not knowing the server accepts every known shape.
    expect(hasCleanShutdownLine(`${line}\n`, undefined)).toBe(true);
  });

  it('is not InnoDB’s own "Shutdown completed", nor a line of the other shape', () => {
    const mariadb = serverFlavour('10.11.19-MariaDB');
    const mysql8 = serverFlavour('8.0.40');
    // library id 56970429273: InnoDB's line comes before the server's.
    const innodb = '100516  1:47:24  InnoDB: Shutdown completed; log sequence number 0 44233\n';
    expect(hasCleanShutdownLine(innodb, mariadb)).toBe(false);
    expect(hasCleanShutdownLine(innodb, undefined)).toBe(false);
    expect(hasCleanShutdownLine(SHUTDOWNS[5].line, mariadb)).toBe(false);
    expect(hasCleanShutdownLine(SHUTDOWNS[3].line, mysql8)).toBe(false);
  });
});

describe('the start line', () => {
  it('reads MySQL 8’s one-line start and skips the X Plugin’s', () => {
    // library id 4944567460 (mysql:8.0.40)
    const lines = [
      "2025-04-02T07:55:03.799961Z 0 [System] [MY-011323] [Server] X Plugin ready for connections. Bind-address: '::' port: 33060, socket: /var/run/mysqld/mysqlx.sock",
      "2025-04-02T07:55:03.800275Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.40'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.",
    ];
    expect(serverStarts(lines)).toEqual([{ version: '8.0.40', line: 1 }]);
  });

  it('reads MariaDB’s two-line start', () => {
    // fleet: the local fleet's mariadbd
    const lines = [
      '2026-11-24  2:00:00 0 [Note] /usr/sbin/mariadbd: ready for connections.',
      "Version: '10.11.19-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12",
    ];
    expect(serverStarts(lines)).toEqual([{ version: '10.11.19-MariaDB-0+deb12u1', line: 0 }]);
  });

  it('reads MariaDB 5.5’s start, which names mysqld, after XtraDB’s own "started" line', () => {
    // library id 46632272363 (CentOS 7's mariadb-server 5.5.56 error log, 2019)
    const lines = [
      '190118 19:56:49 Percona XtraDB (http://www.percona.com) 5.5.52-MariaDB-38.3 started; log sequence number 1597945',
      '190118 19:56:50 [Note] /usr/libexec/mysqld: ready for connections.',
      "Version: '5.5.56-MariaDB'  socket: '/var/lib/mysql/mysql.sock'  port: 3306  MariaDB Server",
    ];
    expect(serverStarts(lines)).toEqual([{ version: '5.5.56-MariaDB', line: 1 }]);
    expect(serverFlavour('5.5.56-MariaDB', 'MariaDB Server')).toEqual({
      flavour: 'mariadb',
      version: [5, 5, 56],
    });
  });

  it('reads MySQL 9.7’s one-line start (Debian sid, run here)', () => {
    // container: dbwave-mysql:9.7.4, 2026-12-02
    const lines = [
      "2026-12-02T19:35:22.428167Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.7.4-2'  socket: '/run/mysqld/mysqld.sock'  port: 3306  (Debian).",
      "2026-12-02T19:35:22.428520Z 0 [System] [MY-011323] [Server] X Plugin ready for connections. Bind-address: '::' port: 33060, socket: /var/run/mysqld/mysqlx.sock",
    ];
    expect(serverStarts(lines)).toEqual([{ version: '9.7.4-2', line: 0 }]);
  });
});

describe('the replication statements a server understands', () => {
  it.each([
    ['10.4.32-MariaDB-log', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
    ['5.5.5-10.4.3-MariaDB', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
    ['10.5.0-MariaDB', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
    // MariaDB renamed the statement, not the columns.
    ['10.5.1-MariaDB', 'SHOW REPLICA STATUS', 'SHOW REPLICA HOSTS', 'Slave_IO_Running'],
    ['11.8.9-MariaDB-deb13', 'SHOW REPLICA STATUS', 'SHOW REPLICA HOSTS', 'Slave_IO_Running'],
    ['5.1.58-log', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
    ['5.7.44', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
    ['8.0.21', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
    ['8.0.22', 'SHOW REPLICA STATUS', 'SHOW REPLICAS', 'Replica_IO_Running'],
    ['8.4.0', 'SHOW REPLICA STATUS', 'SHOW REPLICAS', 'Replica_IO_Running'],
    ['9.7.4-2', 'SHOW REPLICA STATUS', 'SHOW REPLICAS', 'Replica_IO_Running'],
    ['not a version', 'SHOW SLAVE STATUS', 'SHOW SLAVE HOSTS', 'Slave_IO_Running'],
  ])('%s: %s, %s, %s', (version, replicaStatus, replicaHosts, ioRunning) => {
    const statements = replicationStatements(serverFlavour(version));
    expect(statements).toMatchObject({ replicaStatus, replicaHosts, columns: { ioRunning } });
  });

  it('lists every MariaDB connection at once, and MySQL’s channels with its own statement', () => {
    expect(allChannelsStatement(serverFlavour('10.11.19-MariaDB'))).toBe('SHOW ALL SLAVES STATUS');
    expect(allChannelsStatement(serverFlavour('9.7.4-2'))).toBe('SHOW REPLICA STATUS');
    expect(allChannelsStatement(serverFlavour('5.1.58'))).toBe('SHOW SLAVE STATUS');
  });
});

describe('InnoDB status and pre-flush variables', () => {
  it('reads the history list where each flavour publishes it', () => {
    expect(innodbStatusFacts(serverFlavour('10.11.19-MariaDB')).historyList).toBe('status');
    expect(innodbStatusFacts(serverFlavour('9.7.4-2')).historyList).toBe('metrics');
    expect(innodbStatusFacts(serverFlavour('8.0.36-28', 'Percona Server (GPL)')).historyList).toBe('status');
    expect(innodbStatusFacts(serverFlavour('5.1.44')).historyList).toBe('engine-status');
    expect(innodbStatusFacts(serverFlavour('5.1.44')).innodbMetrics).toBe(false);
  });

  it('expects no io_capacity on MySQL 5.1 and both on 9.7 (measured: design)', () => {
    expect(expectedPreflushVariables(serverFlavour('5.1.44'))).toEqual(['innodb_max_dirty_pages_pct']);
    expect(expectedPreflushVariables(serverFlavour('9.7.4-2', '(Debian)'))).toEqual([
      'innodb_max_dirty_pages_pct',
      'innodb_io_capacity',
      'innodb_io_capacity_max',
    ]);
    expect(expectedPreflushVariables(serverFlavour('5.5.34-MariaDB'))).toEqual([
      'innodb_max_dirty_pages_pct',
      'innodb_io_capacity',
    ]);
  });

  it('says why a server lacks one', () => {
    expect(missingVariableReason('innodb_io_capacity_max', serverFlavour('5.1.44'))).toBe(
      'MySQL 5.1.44 has no innodb_io_capacity_max (MySQL has it from 5.6.6)',
    );
  });
});

describe('a change of release series', () => {
  it.each([
    ['10.11.18', '10.11.19', false],
    ['10.11.19', '11.8.9', true],
    ['8.0.40', '8.4.3', true],
    ['5.1.44', '5.1.58', false],
    ['9.7.4', '9.7.4', false],
  ] as const)('%s -> %s: %s', (from, to, changes) => {
    expect(changesSeries(from, to)).toBe(changes);
  });
});
