import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { parseJournal } from '../../engine/journal/file-journal-store.js';
import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalRecord,
  stampRecord,
} from '../../engine/journal/journal-record.js';
import { JournalUnwritableError } from '../../engine/journal/journal-unwritable-error.js';
import type { Clock } from '../../engine/ports/clock.js';
import type { JournalReadResult, JournalStore } from '../../engine/ports/journal-store.js';
import type { MysqlStateConnection } from './mysql-state-connection.js';

/**
 * Who appends, and the check each append makes inside its transaction: a runner's lease (its
 * fencing token must still hold), or an operator's record (a hand-off), which touches no server
 * and so is written whatever runner holds the campaign.
 */
export interface MysqlJournalWriter {
  readonly identity: { readonly runner: string };
  /** 0 for an operator's record: no lease, no token. */
  readonly token: number;
  assertHeldIn(connection: Connection): Promise<void>;
}

/** An operator's record, written beside a running runner (seq is taken under a row lock). */
export function operatorWriter(user: string, host: string): MysqlJournalWriter {
  return { identity: { runner: `operator ${user}@${host}` }, token: 0, assertHeldIn: async () => undefined };
}

/**
 * The journal as rows of `dbwave_journal`: the same records as the file journal's lines (the same
 * JSON, the same seq from 1), so replay, reports and status read either alike. `append` resolves
 * once its transaction committed (InnoDB, durable as the store is configured: keep
 * `innodb_flush_log_at_trx_commit=1` there). Each append, in one transaction: checks the
 * writer's lease and fencing token (a runner that lost its lease writes nothing), takes the next
 * seq, inserts. A store that is away is waited for; an append whose commit was lost with the
 * connection is recognised by its id when tried again, so no record is written twice.
 */
export class MysqlJournalStore implements JournalStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: MysqlStateConnection,
    private readonly campaign: string,
    private readonly clock: Clock,
    /** The writer (a runner's lease, or an operator); a reader (status, report) has none and never appends. */
    private readonly writer?: MysqlJournalWriter,
  ) {}

  async read(): Promise<JournalReadResult> {
    const rows = await this.store.query<{ record: string }[]>(
      'SELECT record FROM dbwave_journal WHERE campaign = ? ORDER BY seq',
      [this.campaign],
    );
    // Validated exactly as the file journal's lines are: a row is a line, its seq its line number.
    return parseJournal(this.store.where, rows.map((row) => `${row.record}\n`).join(''));
  }

  /** Nothing to close: the connection belongs to the campaign's state, which closes it. */
  async close(): Promise<void> {}

  /** Appends one record; appends are serialised in call order, as the file store's are. */
  append(entry: JournalEntry): Promise<JournalRecord> {
    const result = this.queue.then(() => this.write(entry));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(entry: JournalEntry): Promise<JournalRecord> {
    const writer = this.writer;
    if (writer === undefined) throw new Error('a journal opened to read cannot append');
    const appendId = randomBytes(16).toString('hex');
    try {
      return await this.store.transaction(async (connection) => {
        const earlier = await this.committedBefore(connection, appendId);
        if (earlier !== undefined) return earlier;
        await writer.assertHeldIn(connection);
        const [last] = await connection.query(
          'SELECT COALESCE(MAX(seq), 0) AS seq FROM dbwave_journal WHERE campaign = ? FOR UPDATE',
          [this.campaign],
        );
        const record = stampRecord(entry, {
          v: JOURNAL_VERSION,
          seq: Number((last as { seq: number }[])[0]?.seq ?? 0) + 1,
          at: new Date(this.clock.now()).toISOString(),
          campaign: this.campaign,
        });
        await connection.query(
          'INSERT INTO dbwave_journal (campaign, seq, runner, token, append_id, record) VALUES (?, ?, ?, ?, ?, ?)',
          [this.campaign, record.seq, writer.identity.runner, writer.token, appendId, JSON.stringify(record)],
        );
        return record;
      });
    } catch (error) {
      throw new JournalUnwritableError(
        this.store.where,
        entry,
        error,
        'when the state store answers again, run the wave again to resume',
      );
    }
  }

  /** The record of an earlier attempt of this append whose commit went through unanswered. */
  private async committedBefore(
    connection: Connection,
    appendId: string,
  ): Promise<JournalRecord | undefined> {
    const [rows] = await connection.query(
      'SELECT record FROM dbwave_journal WHERE campaign = ? AND append_id = ?',
      [this.campaign, appendId],
    );
    const row = (rows as { record: string }[])[0];
    return row === undefined ? undefined : parseJournal(this.store.where, `${row.record}\n`).records[0];
  }
}
