import { describe, expect, it } from 'vitest';
import { crashesInErrorLog } from '../../../src/model/error-log-crashes.js';

// Real lines. MariaDB 10.11.18: this repository's local fleet after `npm run fleet -- fault crash`.
const MARIADB_10_11_CRASH_RESTART = `2026-12-02 19:26:35 0 [Note] /usr/sbin/mariadbd: ready for connections.
Version: '10.11.18-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12
2026-12-02 19:26:55 0 [Note] Starting MariaDB 10.11.18-MariaDB-0+deb12u1 source revision 197f92bee02d8e836f529f37625be69b83e7acbd server_uid 0dfuIzFBftiUR9RKF00wCn2cXPI= as process 2230
2026-12-02 19:26:55 0 [Note] mariadbd: Aria engine: starting recovery
2026-12-02 19:26:56 0 [Note] InnoDB: Starting crash recovery from checkpoint LSN=44894
2026-12-02 19:26:56 0 [Note] InnoDB: End of log at LSN=8497196
2026-12-02 19:26:56 0 [Note] /usr/sbin/mariadbd: ready for connections.
Version: '10.11.18-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12
`;

// MariaDB 10.10.1 dying on an assertion (theodormoroianu/ReplBug, data/results/MDEV-29494-SERIALIZABLE_result.md).
const MARIADB_10_10_SIGNAL = `240716 17:42:53 [ERROR] mysqld got signal 6 ;
This could be because you hit a bug. It is also possible that this binary
`;

// MySQL 5.6's next start after a crash (a Windows install's log quoted in a troubleshooting post).
const MYSQL_5_6_RECOVERY = `2013-09-02 16:18:47 2544 [Note] InnoDB: Database was not shutdown normally!
2013-09-02 16:18:47 2544 [Note] InnoDB: Starting crash recovery.
2013-09-02 16:18:47 2544 [Note] InnoDB: Reading tablespace information from the .ibd files...
`;

// MySQL 8.0's shapes: its time with Z, the [MY-...] [InnoDB] tags.
const MYSQL_8_RECOVERY =
  '2026-12-02T10:00:01.123456Z 1 [Note] [MY-012552] [InnoDB] Starting crash recovery.\n' +
  "2026-12-02T10:00:03.000000Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.36'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.\n";

describe('crashesInErrorLog', () => {
  it('counts a SIGKILL and its crash-recovery start once, and says since when the log tells', () => {
    expect(crashesInErrorLog(MARIADB_10_11_CRASH_RESTART)).toEqual({
      crashes: 1,
      firstLineAt: '2026-12-02T19:26:35.000Z',
    });
  });

  it('counts the signal line and the next start recovering from it as one crash', () => {
    const text = `${MARIADB_10_10_SIGNAL}${MARIADB_10_11_CRASH_RESTART.split('\n').slice(2).join('\n')}`;
    expect(crashesInErrorLog(text).crashes).toBe(1);
    expect(crashesInErrorLog(text).firstLineAt).toBe('2024-07-16T17:42:53.000Z');
  });

  it('counts each crash of a log that crashed twice', () => {
    expect(crashesInErrorLog(MARIADB_10_11_CRASH_RESTART + MARIADB_10_11_CRASH_RESTART).crashes).toBe(2);
  });

  it("reads MySQL 5.6's two recovery lines as one crash and MySQL 8's tagged line as one", () => {
    expect(crashesInErrorLog(MYSQL_5_6_RECOVERY).crashes).toBe(1);
    expect(crashesInErrorLog(MYSQL_8_RECOVERY)).toEqual({
      crashes: 1,
      firstLineAt: '2026-12-02T10:00:01.000Z',
    });
  });

  it('finds no crash in clean restarts', () => {
    const clean =
      '2026-12-02 19:20:00 0 [Note] /usr/sbin/mariadbd: Shutdown complete\n' +
      '2026-12-02 19:20:02 0 [Note] InnoDB: Buffer pool(s) load completed at 261202 19:20:02\n' +
      "2026-12-02 19:20:02 0 [Note] /usr/sbin/mariadbd: ready for connections.\nVersion: '10.11.19-MariaDB'\n";
    expect(crashesInErrorLog(clean).crashes).toBe(0);
    expect(crashesInErrorLog('').crashes).toBe(0);
  });
});
