import { describe, expect, it } from 'vitest';
import { serverStarts } from '../../../src/gates/server-start-line.js';

/**
 * Real start lines, each with where it comes from:
 * - MARIADB_FLEET: the local fleet's MariaDB 10.11.18 (Debian 12's build), `.fleet/hosts/db1/error.log`
 *   right after `npm run fleet -- up` (2026-12-02); the path is the fleet's unpacked package.
 * - MARIADB_10_4: MariaDB 10.4 as RHEL packages it (`/usr/libexec/mysqld`), the same two-line
 *   ER_READY message ("%s: ready for connections.\nVersion: '%s'  socket: '%s'  port: %d  %s",
 *   MariaDB's error 1076 reference page, mariadb.com/kb/en/e1076).
 * - MYSQL_8: MySQL 8.0's ER_SERVER_STARTUP_MSG, which sql/mysqld.cc logs at [System] with
 *   my_progname and server_version (share/messages_to_error_log.txt, MY-010931), as an 8.0.18
 *   RPM install writes it to /var/log/mysqld.log; and the X Plugin's MY-011323 line beside it.
 * - MYSQL_5: MySQL 5.5 (the source case's family): the two-line form of ER_READY.
 */
const MARIADB_FLEET = [
  '2026-12-02  7:35:12 0 [Note] InnoDB: Buffer pool(s) load completed at 261202  7:35:12',
  '2026-12-02  7:35:12 0 [Note] /work/wt-order/.fleet/cache/prefixes/10.11.18/usr/sbin/mariadbd: ready for connections.',
  "Version: '10.11.18-MariaDB-0+deb12u1-log'  socket: '/work/wt-order/.fleet/hosts/db1/mysqld.sock'  port: 3306  Debian 12",
];
const MARIADB_10_4 = [
  '2019-12-09 16:28:18 0 [Note] /usr/libexec/mysqld: ready for connections.',
  "Version: '10.4.10-MariaDB'  socket: '/var/lib/mysql/mysql.sock'  port: 0  MariaDB Server",
];
const MYSQL_8 = [
  '2019-10-21T14:24:15.754979Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.',
  "2019-10-21T14:24:15.777788Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.18'  socket: '/var/lib/mysql/mysql.sock'  port: 3306  MySQL Community Server - GPL.",
  "2019-10-21T14:24:15.904547Z 0 [System] [MY-011323] [Server] X Plugin ready for connections. Socket: '/var/run/mysqld/mysqlx.sock' bind-address: '::' port: 33060",
];
const MYSQL_5 = [
  '110810 15:40:32 [Note] /usr/libexec/mysqld: ready for connections.',
  "Version: '5.5.15'  socket: '/var/lib/mysql/mysql.sock'  port: 3306  MySQL Community Server (GPL) by Remi",
];

describe('recognising a server start in its error log', () => {
  it("reads MariaDB's two-line start: ready for connections, then the version", () => {
    expect(serverStarts(MARIADB_FLEET)).toEqual([{ version: '10.11.18-MariaDB-0+deb12u1-log', line: 1 }]);
    expect(serverStarts(MARIADB_10_4)).toEqual([{ version: '10.4.10-MariaDB', line: 0 }]);
  });

  it("reads MySQL 8's one-line start and not the X Plugin's ready line", () => {
    expect(serverStarts(MYSQL_8)).toEqual([{ version: '8.0.18', line: 1 }]);
  });

  it("reads MySQL 5's two-line start", () => {
    expect(serverStarts(MYSQL_5)).toEqual([{ version: '5.5.15', line: 0 }]);
  });

  it('finds every start of a log that restarted, in order', () => {
    const log = [
      ...MARIADB_10_4,
      '2019-12-09 16:30:00 0 [Note] /usr/libexec/mysqld: Normal shutdown',
      ...MYSQL_8,
    ];
    expect(serverStarts(log).map((start) => start.version)).toEqual(['10.4.10-MariaDB', '8.0.18']);
  });

  it('is no start without its version: a ready line cut off at the end of what was read', () => {
    expect(serverStarts(MARIADB_10_4.slice(0, 1))).toEqual([]);
    expect(serverStarts(['[Note] ready', 'mariadbd: ready for connections'])).toEqual([]);
  });
});
