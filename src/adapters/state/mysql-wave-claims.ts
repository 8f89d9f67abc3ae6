import type { Connection } from 'mysql2/promise';
import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { JournalStore } from '../../engine/ports/journal-store.js';
import type { ClaimRequest, WaveClaim, WaveClaims } from '../../engine/ports/wave-claims.js';
import { type ClaimRow, type ClaimState, decideClaim } from '../../engine/wave/claim-decision.js';
import type { SchedulableServer } from '../../engine/wave/wave-scheduler.js';
import { type LeaseRow, leasesOf, type MysqlCampaignLease, storeInstant } from './mysql-campaign-lease.js';
import type { MysqlStateConnection } from './mysql-state-connection.js';

/**
 * A runner's claims on one wave in the MySQL store (`dbwave_claim`). Each claim is one
 * transaction: the runner's fence is checked (its lease rows locked), the wave's row is locked
 * FOR UPDATE so that claims of one wave are decided one at a time, every runner's claims of the
 * wave are read, and decideClaim (the scheduler's own rules) picks the server. Row locks with
 * SKIP LOCKED would let two runners each pick a server without seeing the other's: the wave's
 * limits span rows, so the wave's row is the lock that makes them hold across runners, and a
 * claim holds it for a few statements only.
 */
export class MysqlWaveClaims implements WaveClaims {
  constructor(
    private readonly store: MysqlStateConnection,
    private readonly lease: MysqlCampaignLease,
    private readonly wave: number,
    /** Read again after a take-over or a released server: the resume starts from the journal as it is. */
    private readonly journal: JournalStore,
    /** How long a runner told to wait waits before it asks again, ms. */
    readonly retryMs: number,
  ) {}

  private get campaign(): string {
    return this.lease.campaign;
  }

  async claim<S extends SchedulableServer>(request: ClaimRequest<S>): Promise<WaveClaim<S>> {
    const claimed = await this.store.transaction(async (connection) => {
      const { claims, finishedAt } = await this.lockWave(connection);
      const decided = decideClaim({ ...request, token: this.lease.token, claims });
      if (decided.kind !== 'claim' && decided.kind !== 'take-over') return { decided };
      await connection.query(
        `INSERT INTO dbwave_claim (campaign, wave, server, runner, token, state, claimed_at)
         VALUES (?, ?, ?, ?, ?, 'running', NOW(6))
         ON DUPLICATE KEY UPDATE runner = VALUES(runner), token = VALUES(token), state = 'running',
           claimed_at = NOW(6), settled_at = NULL`,
        [this.campaign, this.wave, decided.server.name, this.lease.identity.runner, this.lease.token],
      );
      if (finishedAt !== null) {
        await connection.query('UPDATE dbwave_wave SET finished_at = NULL WHERE campaign = ? AND wave = ?', [
          this.campaign,
          this.wave,
        ]);
      }
      if (decided.kind !== 'take-over') return { decided };
      // Read before its row goes: the alert names the gone runner's host, pid and last heartbeat.
      const holder = (await leasesOf(connection, this.campaign)).find(
        (lease) => lease.runner === decided.from.runner && lease.token === decided.from.token,
      );
      // The gone runner's lease goes with its first server taken over: it can never renew.
      await connection.query(
        'DELETE FROM dbwave_lease WHERE campaign = ? AND runner = ? AND token = ? AND expires <= NOW(6)',
        [this.campaign, decided.from.runner, decided.from.token],
      );
      return { decided, holder };
    });
    const { decided: decision } = claimed;
    const holder = 'holder' in claimed ? claimed.holder : undefined;
    if (decision.kind !== 'claim' && decision.kind !== 'take-over') return decision;
    const tookOver = decision.kind === 'take-over';
    // Another runner touched it: the resume starts from the journal as it is now.
    const journal = tookOver || decision.resume ? (await this.journal.read()).records : undefined;
    return {
      kind: 'claimed',
      server: decision.server,
      ...(journal === undefined ? {} : { journal }),
      ...(tookOver ? { tookOverFrom: describeHolder(decision.from, holder) } : {}),
    };
  }

  async settle(server: string, state: Exclude<ClaimState, 'running'>): Promise<void> {
    await this.store.transaction(async (connection) => {
      await this.lease.assertHeldIn(connection);
      const [result] = await connection.query(
        `UPDATE dbwave_claim SET state = ?, settled_at = NOW(6)
         WHERE campaign = ? AND wave = ? AND server = ? AND token = ?`,
        [state, this.campaign, this.wave, server, this.lease.token],
      );
      if ((result as { affectedRows: number }).affectedRows === 0) {
        throw new DbwaveError(
          ErrorCode.Locked,
          `${server} of wave ${this.wave} is no longer claimed by runner ${this.lease.identity.runner} (token ${this.lease.token}): another runner took it over`,
        );
      }
    });
  }

  async finishWave(servers: readonly string[]): Promise<boolean> {
    return this.store.transaction(async (connection) => {
      const { claims, finishedAt } = await this.lockWave(connection);
      if (finishedAt !== null) return false;
      const stateOf = new Map(claims.map((claim) => [claim.server, claim.state]));
      const settled =
        claims.every((claim) => claim.state !== 'running') &&
        servers.every((server) => ['succeeded', 'failed'].includes(stateOf.get(server) ?? ''));
      if (!settled) return false;
      await connection.query('UPDATE dbwave_wave SET finished_at = NOW(6) WHERE campaign = ? AND wave = ?', [
        this.campaign,
        this.wave,
      ]);
      return true;
    });
  }

  /**
   * Takes the wave's row lock and this runner's own lease row in one statement (creating the
   * wave's row on its first claim), checks this runner's fence on it, and reads every runner's
   * claims of the wave with whether their holder still holds its lease (one join). Three round
   * trips; other runners' lease rows are not locked.
   */
  private async lockWave(connection: Connection): Promise<{ claims: ClaimRow[]; finishedAt: string | null }> {
    let wave:
      | { finished_at: string | null; token: number | string | null; expired: number | string | null }
      | undefined;
    for (;;) {
      const [rows] = await connection.query(
        `SELECT w.finished_at, l.token, l.expires <= NOW(6) AS expired
         FROM dbwave_wave w LEFT JOIN dbwave_lease l ON l.campaign = w.campaign AND l.runner = ?
         WHERE w.campaign = ? AND w.wave = ? FOR UPDATE`,
        [this.lease.identity.runner, this.campaign, this.wave],
      );
      wave = (rows as (typeof wave)[])[0];
      if (wave !== undefined) break;
      // The wave's first claim: its row is made once (a second runner's insert is ignored).
      await connection.query('INSERT IGNORE INTO dbwave_wave (campaign, wave) VALUES (?, ?)', [
        this.campaign,
        this.wave,
      ]);
    }
    await this.lease.assertLeaseRow(
      connection,
      wave.token === null ? undefined : { token: wave.token, expired: wave.expired ?? 0 },
    );
    const [rows] = await connection.query(
      `SELECT c.server, c.runner, c.token, c.state, l.expires > NOW(6) AS holder_live
       FROM dbwave_claim c LEFT JOIN dbwave_lease l
         ON l.campaign = c.campaign AND l.runner = c.runner AND l.token = c.token
       WHERE c.campaign = ? AND c.wave = ?`,
      [this.campaign, this.wave],
    );
    const claims = (
      rows as {
        server: string;
        runner: string;
        token: number;
        state: ClaimState;
        holder_live: number | null;
      }[]
    ).map((row) => ({
      server: row.server,
      runner: row.runner,
      token: Number(row.token),
      state: row.state,
      holderLive: Number(row.holder_live ?? 0) === 1,
    }));
    return { claims, finishedAt: wave.finished_at };
  }
}

/** Every server claimed and running in a campaign, with who runs it, in claim order (for `status`). */
export async function runningClaims(
  connection: Connection,
  campaign: string,
): Promise<readonly { server: string; runner: string; token: number }[]> {
  const [rows] = await connection.query(
    "SELECT server, runner, token FROM dbwave_claim WHERE campaign = ? AND state = 'running' ORDER BY claimed_at, server",
    [campaign],
  );
  return (rows as { server: string; runner: string; token: number }[]).map((row) => ({
    ...row,
    token: Number(row.token),
  }));
}

/** The runner a server was taken over from, as the alert names it: who ran it, from where, when last heard of. */
function describeHolder(claim: ClaimRow, lease: LeaseRow | undefined): string {
  const who = `runner ${claim.runner} (token ${claim.token}`;
  if (lease === undefined) return `${who}, its lease already removed)`;
  return `${who}, ${lease.operator}@${lease.host} pid ${lease.pid}, last heartbeat ${storeInstant(lease.heartbeat)})`;
}
