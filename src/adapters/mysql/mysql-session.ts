import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { type Connection, type ConnectionOptions, createConnection } from 'mysql2/promise';
import { errorMessage, TransportError } from '../../core/errors.js';
import type { SqlRow, SqlSession } from '../../engine/ports/sql-session.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { type MysqlSettings, withoutSecrets } from './mysql-settings.js';

/** A MySQL failure: retryable when the connection or the server's availability was the problem. */
export class MysqlError extends TransportError {
  /** mysql2's code: `ER_ACCESS_DENIED_ERROR`, `ECONNREFUSED`, `PROTOCOL_SEQUENCE_TIMEOUT`... */
  readonly mysqlCode: string | undefined;
  readonly errno: number | undefined;

  constructor(
    host: string,
    message: string,
    details: { mysqlCode?: string; errno?: number; retryable: boolean; cause?: unknown },
  ) {
    super(host, message, { retryable: details.retryable, cause: details.cause });
    this.mysqlCode = details.mysqlCode;
    this.errno = details.errno;
  }
}

/** Errors that say nothing about the server's health: trying again will not help. */
const NOT_RETRYABLE = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_PARSE_ERROR',
  'ER_BAD_FIELD_ERROR',
  'ER_NO_SUCH_TABLE',
  'ER_UNKNOWN_SYSTEM_VARIABLE',
  'ER_WRONG_VALUE_FOR_VAR',
  // MySQL's answer to a plain connection under require_secure_transport (MariaDB denies access).
  'ER_SECURE_TRANSPORT_REQUIRED',
  // mysql.tls is set and the server offers no TLS: it will not start offering it on a retry.
  'HANDSHAKE_NO_SSL_SUPPORT',
]);

const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * MariaDB refuses a connection without TLS that it requires (`require_secure_transport`, an
 * account that `REQUIRE`s SSL or X509) with the same "Access denied" as a wrong password.
 */
const PLAIN_ACCESS_DENIED_HINT =
  '; this connection was without TLS (no mysql.tls), and a server that requires TLS' +
  ' (require_secure_transport, REQUIRE SSL or X509) denies access the same way';

/**
 * What mysql2 is told for one server. The password goes over the wire only as the server's
 * authentication plugin asks, and never in clear over plain TCP: `enableCleartextPlugin` and
 * custom `authPlugins` stay unset, so mysql2 refuses `mysql_clear_password` and, for
 * `caching_sha2_password`'s full authentication, sends the password in clear only inside TLS
 * (`ssl`) and otherwise RSA-encrypted to the server's public key. With `mysql.tls`, a server
 * without TLS is refused rather than talked to in plain; a server given by IP address gets its
 * own socket, see {@link socketNamingIp}.
 */
export function mysqlConnectionOptions(
  server: Pick<ResolvedServer, 'host' | 'port'>,
  settings: MysqlSettings,
): ConnectionOptions {
  const tls = settings.tls;
  return {
    host: server.host,
    port: server.port,
    user: settings.user,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    connectTimeout: settings.connectTimeoutMs,
    multipleStatements: false,
    ...(tls === undefined
      ? {}
      : {
          ssl: {
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            // The chain against ca, and the certificate's names against the host.
            rejectUnauthorized: tls.verifyServer,
            verifyIdentity: tls.verifyServer,
          },
          ...(tls.verifyServer && isIP(server.host) !== 0
            ? { stream: () => socketNamingIp(server.host, server.port) }
            : {}),
        }),
  };
}

/**
 * The TCP socket mysql2 upgrades to TLS, for a server given by IP address. mysql2 hands
 * `tls.connect` no servername for an IP (SNI cannot carry one) and no host, so Node checks the
 * certificate's names against the socket's `_host`, which `net` records only for a host name,
 * and otherwise against `localhost`: a certificate for the IP dbwave dialled would be refused,
 * and one for `localhost` from the same CA accepted. Recording the IP makes Node check the name
 * dbwave asked for. TCP options as mysql2 sets them on a socket of its own.
 */
export function socketNamingIp(host: string, port: number): Socket {
  const socket = connectTcp({ host, port, noDelay: true, keepAlive: true });
  return Object.assign(socket, { _host: host });
}

/** Opens a session on the server's MySQL port (connects now, so an unreachable server shows at once). */
export async function connectMysql(server: ResolvedServer, settings: MysqlSettings): Promise<MysqlSession> {
  const session = new MysqlSession(server, settings);
  await session.connect();
  return session;
}

/**
 * A `SqlSession` on one mysql2 connection. `multipleStatements` stays off, so one call is one
 * statement. A connection lost is re-opened by the next query; a query past its timeout is
 * killed on the server (`KILL QUERY`) and its connection replaced. Errors are {@link MysqlError}s whose messages
 * never hold the password.
 */
export class MysqlSession implements SqlSession {
  private connection: Connection | undefined;

  constructor(
    private readonly server: ResolvedServer,
    private readonly settings: MysqlSettings,
  ) {}

  async connect(): Promise<void> {
    await this.connection?.end().catch(() => undefined);
    this.connection = undefined;
    try {
      const connection = await createConnection(mysqlConnectionOptions(this.server, this.settings));
      // A connection that dies between queries emits 'error'; unheard it would end the process.
      connection.on('error', () => {
        if (this.connection === connection) this.connection = undefined;
      });
      this.connection = connection;
    } catch (error) {
      throw this.mapError(error, 'connect');
    }
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<readonly SqlRow[]> {
    if (this.connection === undefined) await this.connect();
    const connection = this.connection;
    if (connection === undefined) throw new Error('unreachable: connect() left no connection');
    try {
      const [rows] = await connection.query({
        sql,
        values: [...params],
        timeout: this.settings.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      });
      // Statements without a result set (SET, KILL) answer a header, not rows.
      return Array.isArray(rows) ? (rows as SqlRow[]) : [];
    } catch (error) {
      if (isTimeout(error)) {
        // mysql2 gives up waiting but leaves the query running and the connection queued
        // behind it: drop the connection and stop the query on the server.
        connection.destroy();
        if (this.connection === connection) this.connection = undefined;
        await this.killQuery(connection.threadId);
      } else if (isFatal(error)) {
        connection.destroy();
        if (this.connection === connection) this.connection = undefined;
      }
      throw this.mapError(error, 'query');
    }
  }

  /** Best effort: a query that outlived its timeout is killed from a fresh connection (kept for what follows). */
  private async killQuery(threadId: number | null): Promise<void> {
    if (threadId === null) return;
    try {
      await this.connect();
      await this.connection?.query({ sql: 'KILL QUERY ?', values: [threadId], timeout: 5_000 });
    } catch {
      // The server is unreachable or the query already ended; the timeout is what gets reported.
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end().catch(() => connection.destroy());
  }

  private mapError(error: unknown, during: 'connect' | 'query'): MysqlError {
    const details = error as { code?: unknown; errno?: unknown; fatal?: unknown };
    const mysqlCode = typeof details.code === 'string' ? details.code : undefined;
    const errno = typeof details.errno === 'number' ? details.errno : undefined;
    const what =
      mysqlCode === 'PROTOCOL_SEQUENCE_TIMEOUT'
        ? `query timed out after ${Math.round((this.settings.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS) / 1000)}s`
        : withoutSecrets(errorMessage(error), [this.settings.password, this.settings.tls?.key]);
    const where = `${this.server.host}:${this.server.port}`;
    const deniedInPlain =
      during === 'connect' && mysqlCode === 'ER_ACCESS_DENIED_ERROR' && this.settings.tls === undefined;
    const message = `mysql ${during === 'connect' ? 'connection to' : 'query on'} ${where} failed: ${what}${
      mysqlCode === undefined ? '' : ` (${mysqlCode})`
    }${deniedInPlain ? PLAIN_ACCESS_DENIED_HINT : ''}`;
    return new MysqlError(this.server.host, message, {
      ...(mysqlCode === undefined ? {} : { mysqlCode }),
      ...(errno === undefined ? {} : { errno }),
      retryable: mysqlCode === undefined || !NOT_RETRYABLE.has(mysqlCode),
      cause: error,
    });
  }
}

function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}

function isFatal(error: unknown): boolean {
  return (error as { fatal?: unknown }).fatal === true;
}
