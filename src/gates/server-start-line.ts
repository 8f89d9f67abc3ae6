/**
 * mysqld's "ready for connections" announcement in its error log: the one place dbwave
 * recognises that a server started, and as which version. Two shapes are known:
 *
 * - MariaDB, and MySQL before 8.0, in two lines:
 *   `2026-11-24  2:00:00 0 [Note] /usr/sbin/mariadbd: ready for connections.`
 *   `Version: '10.11.19-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12`
 * - MySQL 8.0 and later, in one:
 *   `... [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.36'  socket: ...`
 *
 * MySQL's X Plugin also says "ready for connections" (`X Plugin ready for connections. Bind-address:
 * ...`) but names no server version and is not the server's start: it is not one.
 */

/** One start the log announces: the version the server said it runs, and the line it said it on. */
export interface ServerStart {
  readonly version: string;
  /** 0-based index into the lines given. */
  readonly line: number;
}

/** The server program itself (not a plugin) saying it is ready: `.../mysqld: ready for connections.` */
const READY = /(?:mysqld|mariadbd)(?:\.exe)?: ready for connections\./;
/** The version clause: on the ready line itself (MySQL 8+) or starting the next one (MariaDB, MySQL 5). */
const VERSION_HERE = /ready for connections\.\s+Version: '([^']+)'/;
const VERSION_NEXT = /^\s*Version: '([^']+)'/;

/** Every start `lines` announce, in order. */
export function serverStarts(lines: readonly string[]): ServerStart[] {
  const starts: ServerStart[] = [];
  lines.forEach((text, line) => {
    if (!READY.test(text)) return;
    const version = VERSION_HERE.exec(text)?.[1] ?? VERSION_NEXT.exec(lines[line + 1] ?? '')?.[1];
    if (version !== undefined) starts.push({ version, line });
  });
  return starts;
}
