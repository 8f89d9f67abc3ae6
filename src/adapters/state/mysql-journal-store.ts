import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { parseJournal } from '../../engine/journal/file-journal-store.js';
import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalRecord,
  parseJournalRecord,
  stampRecord,
} from '../../engine/journal/journal-record.js';
import { JournalUnwritableError } from '../../engine/journal/journal-unwritable-error.js';
import type { Clock } from '../../engine/ports/clock.js';
import type { JournalReadResult, JournalStore } from '../../engine/ports/journal-store.js';
import type { OwnLeaseRow } from './mysql-campaign-lease.js';
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
  /** Judges the writer's own lease row as the append read it, locked; throws when it may not write. */
  assertLeaseRow(connection: Connection, row: OwnLeaseRow | undefined): Promise<void>;
}

/** An operator's record, written beside a running runner (seq is taken under the campaign's row lock). */
export function operatorWriter(user: string, host: string): MysqlJournalWriter {
  return {
    identity: { runner: `operator ${user}@${host}` },
    token: 0,
    assertLeaseRow: async () => undefined,
  };
}

/** One append waiting for its turn: it resolves once the transaction that wrote it committed. */
interface PendingAppend {
  readonly entry: JournalEntry;
  readonly resolve: (record: JournalRecord) => void;
  readonly reject: (error: unknown) => void;
}

/** At most this many pending appends go in one transaction (one INSERT of that many rows). */
const MAX_BATCH = 200;

/** Why an append failed, as the engine reports a journal it could not write. */
function unwritable(where: string, entry: JournalEntry, error: unknown): JournalUnwritableError {
  return new JournalUnwritableError(
    where,
    entry,
    error,
    'when the state store answers again, run the wave again to resume',
  );
}

/** What the append's first statement reads, with the campaign's row and the writer's lease row locked. */
interface AppendFence {
  readonly seq: number | string;
  /** Null when the writer has no lease row (an operator, or a lease removed). */
  readonly token: number | string | null;
  readonly expired: number | string | null;
}

/**
 * The journal as rows of `dbwave_journal`: the same records as the file journal's lines (the same
 * JSON, the same seq from 1), so replay, reports and status read either alike. `append` resolves
 * once its transaction committed (InnoDB, durable as the store is configured: keep
 * `innodb_flush_log_at_trx_commit=1` there).
 *
 * One append is one transaction of four round trips: BEGIN; one statement that locks the
 * campaign's row (what orders every writer's appends of the campaign, so seq has no gap and no
 * duplicate) and the writer's own lease row (what a take-over deletes) and reads both with the
 * last seq; the INSERT; COMMIT. Other runners' lease rows, heartbeats and claims are not locked.
 * Appends that a runner's servers make while one is being written wait and then go together, in
 * call order, in the next transaction (one commit, one fsync for all of them): every one still
 * resolves only after its record committed, so the write-ahead order holds. A store that is away
 * is waited for; an append whose commit was lost with the connection is recognised by its id when
 * tried again, so no record is written twice.
 */
export class MysqlJournalStore implements JournalStore {
  private readonly pending: PendingAppend[] = [];
  private writing = false;

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

  /** Appends one record; appends are written in call order, as the file store's are. */
  append(entry: JournalEntry): Promise<JournalRecord> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Writes what is pending, a transaction at a time, until nothing is. */
  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        const records = await this.write(batch.map((append) => append.entry));
        for (const [index, append] of batch.entries()) append.resolve(records[index] as JournalRecord);
      } catch (error) {
        for (const append of batch) append.reject(unwritable(this.store.where, append.entry, error));
      }
    }
    this.writing = false;
  }

  private async write(entries: readonly JournalEntry[]): Promise<JournalRecord[]> {
    const writer = this.writer;
    if (writer === undefined) throw new Error('a journal opened to read cannot append');
    const appendIds = entries.map(() => randomBytes(16).toString('hex'));
    let attempt = 0;
    return this.store.transaction(async (connection) => {
      attempt += 1;
      const fence = await this.lockCampaign(connection, writer.identity.runner);
      // Only a transaction run again can find its own rows: its first attempt may have committed
      // with the answer lost.
      if (attempt > 1) {
        const earlier = await this.committedBefore(connection, appendIds);
        if (earlier !== undefined) return earlier;
      }
      await writer.assertLeaseRow(
        connection,
        fence.token === null ? undefined : { token: fence.token, expired: fence.expired ?? 0 },
      );
      const at = new Date(this.clock.now()).toISOString();
      const first = Number(fence.seq) + 1;
      const records = entries.map((entry, index) =>
        stampRecord(entry, { v: JOURNAL_VERSION, seq: first + index, at, campaign: this.campaign }),
      );
      await connection.query(
        'INSERT INTO dbwave_journal (campaign, seq, runner, token, append_id, record) VALUES ?',
        [
          records.map((record, index) => [
            this.campaign,
            record.seq,
            writer.identity.runner,
            writer.token,
            appendIds[index] as string,
            JSON.stringify(record),
          ]),
        ],
      );
      return records;
    });
  }

  /**
   * Locks the campaign's row and the writer's own lease row, and reads the last seq, in one
   * statement. The campaign's row is created if this is its first writer ever (an operator's
   * hand-off before any run).
   */
  private async lockCampaign(connection: Connection, runner: string): Promise<AppendFence> {
    for (;;) {
      // The journal's last seq is read after the campaign's row is locked (the subquery is
      // correlated with it), so it sees every append committed before this one.
      const [rows] = await connection.query(
        `SELECT (SELECT COALESCE(MAX(j.seq), 0) FROM dbwave_journal j WHERE j.campaign = c.campaign) AS seq,
                l.token, l.expires <= NOW(6) AS expired
         FROM dbwave_campaign c LEFT JOIN dbwave_lease l ON l.campaign = c.campaign AND l.runner = ?
         WHERE c.campaign = ? FOR UPDATE`,
        [runner, this.campaign],
      );
      const fence = (rows as AppendFence[])[0];
      if (fence !== undefined) return fence;
      await connection.query('INSERT IGNORE INTO dbwave_campaign (campaign, next_token) VALUES (?, 1)', [
        this.campaign,
      ]);
    }
  }

  /** The records of an earlier attempt of these appends whose commit went through unanswered. */
  private async committedBefore(
    connection: Connection,
    appendIds: readonly string[],
  ): Promise<JournalRecord[] | undefined> {
    const [rows] = await connection.query(
      'SELECT record FROM dbwave_journal WHERE campaign = ? AND append_id IN (?) ORDER BY seq',
      [this.campaign, appendIds],
    );
    const found = (rows as { record: string }[]).map((row) => parseJournalRecord(JSON.parse(row.record)));
    if (found.length === 0) return undefined;
    // Written by this dbwave a moment ago: a row that is not a record is the store's corruption.
    const bad = found.find((record) => 'problem' in record);
    if (bad !== undefined)
      throw new Error(`a journal row this append wrote reads back as ${JSON.stringify(bad)}`);
    return found as JournalRecord[];
  }
}
