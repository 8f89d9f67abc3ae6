import type { Connection } from 'mysql2/promise';
import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { LockOwner } from '../../engine/lock/lock-owner.js';
import type { JournalFence } from '../../engine/ports/journal-fence.js';
import type { MysqlStateConnection } from './mysql-state-connection.js';

/** Who asks for a lease: the runner's name and the process behind it. */
export interface RunnerIdentity {
  /** `--runner NAME`; the host name when not given. */
  readonly runner: string;
  readonly host: string;
  readonly pid: number;
  /** The operator's user name. */
  readonly operator: string;
  readonly purpose?: string;
}

/** A lease as the store holds it. Times are the store's clock (UTC), never a runner's. */
export interface LeaseRow {
  readonly runner: string;
  readonly token: number;
  readonly host: string;
  readonly pid: number;
  readonly operator: string;
  readonly purpose: string | null;
  readonly started: string;
  readonly heartbeat: string;
  readonly expires: string;
  /** Whether `expires` has passed on the store's clock. */
  readonly expired: boolean;
}

const LEASE_COLUMNS =
  'runner, token, host, pid, operator, purpose, started, heartbeat, expires, expires <= NOW(6) AS expired';

/** Reads the leases of a campaign, optionally locking them for the transaction. */
export async function leasesOf(
  connection: Connection,
  campaign: string,
  lock: 'FOR UPDATE' | '' = '',
): Promise<readonly LeaseRow[]> {
  const [rows] = await connection.query(
    `SELECT ${LEASE_COLUMNS} FROM dbwave_lease WHERE campaign = ? ORDER BY runner ${lock}`,
    [campaign],
  );
  return (rows as LeaseRow[]).map(leaseRow);
}

/** A lease row as the driver returns it (BIGINT and flags as text or numbers), typed. */
function leaseRow<R extends LeaseRow>(row: R): R {
  return { ...row, token: Number(row.token), pid: Number(row.pid), expired: Boolean(Number(row.expired)) };
}

/** A TIMESTAMP(6) as the store returns it (`2026-12-02 08:56:48.731000`, UTC) as an ISO instant. */
export function storeInstant(text: string): string {
  return `${text.replace(' ', 'T')}Z`;
}

/** A lease in the shape of the file store's lock owner, for the messages and alerts they share. */
export function leaseOwner(lease: LeaseRow): LockOwner {
  return {
    user: lease.operator,
    host: lease.host,
    pid: lease.pid,
    started: storeInstant(lease.started),
    heartbeat: storeInstant(lease.heartbeat),
    ...(lease.purpose === null ? {} : { purpose: `${lease.purpose} (runner ${lease.runner})` }),
  };
}

/** A runner's own lease row as a fenced transaction reads it: its token, and whether it expired. */
export interface OwnLeaseRow {
  readonly token: number | string;
  readonly expired: number | string;
}

/** The lease a run holds: what it was granted and whom it took over from. */
export interface GrantedLease {
  readonly lease: MysqlCampaignLease;
  /** Leases that had expired and were taken over: the caller raises an alert naming them. */
  readonly tookOverFrom: readonly LeaseRow[];
}

/**
 * A runner's lease on a campaign in the MySQL store, with a fencing token that grows on every
 * grant. Several runners may hold leases at once only to share one wave of `run` (each claims
 * its servers, mysql-wave-claims.ts); anything else (a rollback, another wave) holds the
 * campaign alone. The lease is renewed by a heartbeat on the store's clock; an expired lease is
 * taken over by the next runner (its row is deleted, its servers claimed again under a larger
 * token). Every journal append and claim checks, in its own transaction, that the lease row
 * still holds this token: a runner that lost its lease (taken over while it was paused or cut
 * off) writes nothing more. A lease that expired but that nobody took over (the store itself was
 * away, say) is renewed by that check: its row and token prove that nobody else acted for it.
 */
export class MysqlCampaignLease implements JournalFence {
  private timer: NodeJS.Timeout | undefined;
  private lost: DbwaveError | undefined;

  private constructor(
    private readonly store: MysqlStateConnection,
    readonly campaign: string,
    readonly identity: RunnerIdentity,
    /** The fencing token: larger than every earlier holder's. */
    readonly token: number,
    private readonly leaseMs: number,
  ) {}

  /** Grants this runner the campaign, taking over expired leases; refuses a live one (exit 3). */
  static async acquire(
    store: MysqlStateConnection,
    campaign: string,
    identity: RunnerIdentity,
    leaseMs: number,
  ): Promise<GrantedLease> {
    const granted = await store.transaction(async (connection) => {
      await connection.query('INSERT IGNORE INTO dbwave_campaign (campaign, next_token) VALUES (?, 1)', [
        campaign,
      ]);
      const [counter] = await connection.query(
        'SELECT next_token FROM dbwave_campaign WHERE campaign = ? FOR UPDATE',
        [campaign],
      );
      const token = Number((counter as { next_token: number }[])[0]?.next_token ?? 1);
      const leases = await leasesOf(connection, campaign, 'FOR UPDATE');
      const live = leases.filter((lease) => !lease.expired);
      const refusing = live.find(
        (lease) => lease.runner === identity.runner || !sharesWave(lease.purpose, identity.purpose ?? null),
      );
      if (refusing !== undefined) throw heldBy(store, refusing);
      const expired = leases.filter((lease) => lease.expired);
      await connection.query('DELETE FROM dbwave_lease WHERE campaign = ? AND expires <= NOW(6)', [campaign]);
      await connection.query('UPDATE dbwave_campaign SET next_token = ? WHERE campaign = ?', [
        token + 1,
        campaign,
      ]);
      await connection.query(
        `INSERT INTO dbwave_lease (campaign, runner, token, host, pid, operator, purpose, started, heartbeat, expires)
         VALUES (?, ?, ?, ?, ?, ?, ?, NOW(6), NOW(6), NOW(6) + INTERVAL ? MICROSECOND)`,
        [
          campaign,
          identity.runner,
          token,
          identity.host,
          identity.pid,
          identity.operator,
          identity.purpose ?? null,
          leaseMs * 1000,
        ],
      );
      return { token, tookOverFrom: expired };
    });
    const lease = new MysqlCampaignLease(store, campaign, identity, granted.token, leaseMs);
    lease.startHeartbeat();
    return { lease, tookOverFrom: granted.tookOverFrom };
  }

  /**
   * Checks, inside the caller's transaction, that this lease still holds its token, locking this
   * runner's own lease row only (a take-over deletes that row, so it waits for this transaction):
   * other runners' heartbeats, claims and appends are not held up by it.
   */
  async assertHeldIn(connection: Connection): Promise<void> {
    if (this.lost) throw this.lost;
    const [rows] = await connection.query(
      'SELECT token, expires <= NOW(6) AS expired FROM dbwave_lease WHERE campaign = ? AND runner = ? FOR UPDATE',
      [this.campaign, this.identity.runner],
    );
    await this.assertLeaseRow(connection, (rows as OwnLeaseRow[])[0]);
  }

  /**
   * Judges this runner's own lease row as a caller's transaction read it, locked (the journal's
   * append reads it in the same statement that takes the campaign's row): it must hold this token;
   * an expired one that still does is renewed, since nobody took it over (that deletes the row).
   */
  async assertLeaseRow(connection: Connection, row: OwnLeaseRow | undefined): Promise<void> {
    if (this.lost) throw this.lost;
    if (row === undefined || Number(row.token) !== this.token) {
      const now = await leasesOf(connection, this.campaign);
      const holder = now.find((lease) => lease.runner === this.identity.runner) ?? now[0];
      this.lost = new DbwaveError(
        ErrorCode.Locked,
        `runner ${this.identity.runner} lost its lease on ${this.campaign} (token ${this.token}): ${
          holder === undefined
            ? 'it was released or removed'
            : `runner ${holder.runner} (${holder.operator}@${holder.host} pid ${holder.pid}) holds it now with token ${holder.token}`
        }. This run stops before its next side effect; the holder, or the next run, resumes from the journal`,
      );
      throw this.lost;
    }
    if (Number(row.expired)) await this.renew(connection);
  }

  private async renew(connection: Connection): Promise<void> {
    await connection.query(
      `UPDATE dbwave_lease SET heartbeat = NOW(6), expires = NOW(6) + INTERVAL ? MICROSECOND
       WHERE campaign = ? AND runner = ? AND token = ?`,
      [this.leaseMs * 1000, this.campaign, this.identity.runner, this.token],
    );
  }

  /** The fence on its own: a transaction that only checks. */
  async assertHeld(): Promise<void> {
    await this.store.transaction((connection) => this.assertHeldIn(connection));
  }

  /** Renews the lease now (the timer does this every third of the lease), if it is still this token's. */
  async beat(): Promise<void> {
    await this.store.transaction(async (connection) => {
      await this.assertHeldIn(connection);
      await this.renew(connection);
    });
  }

  /** Stops the heartbeat and gives the lease up, if it is still this run's. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.store
      .query('DELETE FROM dbwave_lease WHERE campaign = ? AND runner = ? AND token = ?', [
        this.campaign,
        this.identity.runner,
        this.token,
      ])
      .catch(() => undefined);
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, heartbeatEveryMs(this.leaseMs));
    this.timer.unref();
  }
}

/** How often a runner renews its lease: three times a lease, at most once a second. */
export function heartbeatEveryMs(leaseMs: number): number {
  return Math.max(1_000, Math.floor(leaseMs / 3));
}

/** What `dbwave unlock --runner NAME --force` found of a runner's lease, and did. */
export type RemovedLease =
  | { readonly removed: 'nothing' }
  | { readonly removed: 'lease'; readonly lease: LeaseRow }
  | { readonly refused: 'fresh'; readonly lease: LeaseRow; readonly staleAfterMs: number };

/**
 * `dbwave unlock PLAN --runner NAME --force` on the MySQL store: removes the lease of a runner
 * that is gone, so that its servers are taken over at the next claim instead of at its expiry.
 * Only a stale one: a heartbeat that missed two beats (on the store's clock), or an expired
 * lease. A fresh heartbeat means the runner is alive, and its lease is left alone. A runner whose
 * lease was removed stops before its next side effect (its fence fails), never writing beside
 * the one that takes its servers over.
 */
export async function removeStaleLease(
  store: MysqlStateConnection,
  campaign: string,
  runner: string,
  leaseMs: number,
): Promise<RemovedLease> {
  const staleAfterMs = 2 * heartbeatEveryMs(leaseMs);
  return store.transaction(async (connection) => {
    const [rows] = await connection.query(
      `SELECT ${LEASE_COLUMNS}, TIMESTAMPDIFF(MICROSECOND, heartbeat, NOW(6)) DIV 1000 AS age_ms
       FROM dbwave_lease WHERE campaign = ? AND runner = ? FOR UPDATE`,
      [campaign, runner],
    );
    const found = (rows as (LeaseRow & { age_ms: number })[])[0];
    if (found === undefined) return { removed: 'nothing' };
    const { age_ms: ageMs, ...lease } = leaseRow(found);
    if (!lease.expired && Number(ageMs) < staleAfterMs) return { refused: 'fresh', lease, staleAfterMs };
    await connection.query('DELETE FROM dbwave_lease WHERE campaign = ? AND runner = ? AND token = ?', [
      campaign,
      runner,
      lease.token,
    ]);
    return { removed: 'lease', lease };
  });
}

/**
 * Whether a runner doing `purpose` may hold a lease beside one doing `held`: only runners of one
 * wave of `run` share a campaign (`run --wave 2` beside `run --wave 2`).
 */
function sharesWave(held: string | null, purpose: string | null): boolean {
  return held !== null && held === purpose && /^run --wave \d+$/.test(held);
}

/** The refusal of a live lease (exit 3), naming its holder and when it expires. */
function heldBy(store: MysqlStateConnection, lease: LeaseRow): DbwaveError {
  return new DbwaveError(
    ErrorCode.Locked,
    `the campaign is held in ${store.where} by runner ${lease.runner} (${lease.operator}@${lease.host} pid ${lease.pid}${lease.purpose ? `, ${lease.purpose}` : ''}) since ${lease.started} UTC; its lease runs until ${lease.expires} UTC unless renewed: another dbwave is running this campaign`,
  );
}
