import { type Connection, createConnection } from 'mysql2/promise';
import { DbwaveError, ErrorCode, errorMessage } from '../../core/errors.js';
import type { Clock } from '../../engine/ports/clock.js';
import type { MysqlStateSettings } from '../../model/campaign-schema.js';
import { mysqlConnectionOptions } from '../mysql/mysql-session.js';
import type { MysqlSettings } from '../mysql/mysql-settings.js';
import { withoutSecrets } from '../mysql/mysql-settings.js';

/** mysql2's codes for a connection that is gone or never came: worth waiting for, never guessing on. */
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
]);

/** How many times a deadlock's victim is run again before its error stands. */
const DEADLOCK_RETRIES = 20;

/**
 * Whether InnoDB chose this transaction as a deadlock's victim: it was rolled back whole, so
 * running it again from its start is safe. Appends, claims and lease grants of different runners
 * lock neighbouring index gaps and meet here under load (the store bench shows it with four
 * runners appending at once).
 */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ER_LOCK_DEADLOCK';
}

/** Whether an error is the store being away (restarting, unreachable), not a refusal of what was asked. */
export function isStoreAway(error: unknown): boolean {
  const candidate = error as { code?: unknown; fatal?: unknown };
  return (
    (typeof candidate.code === 'string' && CONNECTION_CODES.has(candidate.code)) || candidate.fatal === true
  );
}

/**
 * One connection to the state store's database, re-opened when lost. `transaction` runs its work
 * in one InnoDB transaction; when the store is away (restarting, unreachable) it waits and runs
 * the work again from its start (at once when InnoDB rolled it back as a deadlock's victim), for
 * at most `patienceMs`, then fails saying for how long the store was away. Work must therefore be
 * safe to run again: the journal's appends carry an id that tells a committed attempt from a lost
 * one.
 */
export class MysqlStateConnection {
  private connection: Connection | undefined;
  /**
   * One statement or transaction at a time on the one connection: the heartbeat, a claim and a
   * journal append come from different parts of a run, and two transactions begun on one
   * connection would be one.
   */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: MysqlStateSettings,
    private readonly login: MysqlSettings,
    private readonly clock: Clock,
    /** How long to wait for a store that is away before failing (default twice the lease). */
    private readonly patienceMs: number = store.lease * 2,
  ) {}

  /** Where the store is, for messages (never the password). */
  get where(): string {
    return `${this.store.user}@${this.store.host}:${this.store.port}/${this.store.database}`;
  }

  /** Runs `work` in a transaction (committed when it resolves), waiting out a store that is away. */
  async transaction<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.patiently(async (connection) => {
      await connection.beginTransaction();
      try {
        const result = await work(connection);
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        throw error;
      }
    });
  }

  /** Runs one statement outside a transaction, waiting out a store that is away. */
  async query<T>(sql: string, values: (string | number | null)[] = []): Promise<T> {
    return this.patiently(async (connection) => (await connection.query(sql, values))[0] as T);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end().catch(() => undefined);
  }

  private patiently<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const result = this.turn.then(() => this.retried(work));
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async retried<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const since = this.clock.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work(await this.open());
      } catch (error) {
        if (isDeadlock(error) && attempt < DEADLOCK_RETRIES) {
          // A random pause, growing with the attempts: victims run again at once meet again.
          await this.clock.sleep(Math.random() * 5 * (attempt + 1));
          continue;
        }
        if (!isStoreAway(error)) throw this.clean(error);
        this.connection?.destroy();
        this.connection = undefined;
        const awayMs = this.clock.now() - since;
        if (awayMs >= this.patienceMs) {
          throw new DbwaveError(
            ErrorCode.Transport,
            `the state store ${this.where} has been unreachable for ${Math.round(awayMs / 1000)}s: ${this.message(error)}`,
            { cause: error, retryable: true },
          );
        }
        await this.clock.sleep(Math.min(200 * 2 ** attempt, 2_000));
      }
    }
  }

  private async open(): Promise<Connection> {
    if (this.connection) return this.connection;
    const connection = await createConnection({
      ...mysqlConnectionOptions({ host: this.store.host, port: this.store.port }, this.login),
      database: this.store.database,
      // TIMESTAMP(6) values come back as text: parsed by the code that reads them, in UTC.
      dateStrings: true,
      timezone: 'Z',
    });
    await connection.query("SET time_zone = '+00:00'");
    this.connection = connection;
    return connection;
  }

  private message(error: unknown): string {
    return withoutSecrets(errorMessage(error), [this.login.password]);
  }

  private clean(error: unknown): unknown {
    if (error instanceof DbwaveError) return error;
    return new DbwaveError(ErrorCode.Transport, `the state store ${this.where}: ${this.message(error)}`, {
      cause: error,
    });
  }
}

/** A connection to the store's server without choosing a database: what `state init` needs first. */
export function connectStateServer(store: MysqlStateSettings, login: MysqlSettings): Promise<Connection> {
  return createConnection(mysqlConnectionOptions({ host: store.host, port: store.port }, login));
}
