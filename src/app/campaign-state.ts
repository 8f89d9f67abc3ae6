import { join } from 'node:path';
import { mysqlSettingsFromCampaign } from '../adapters/mysql/mysql-settings.js';
import {
  type LeaseRow,
  leaseOwner,
  leasesOf,
  MysqlCampaignLease,
  storeInstant,
} from '../adapters/state/mysql-campaign-lease.js';
import { MysqlJournalStore, operatorWriter } from '../adapters/state/mysql-journal-store.js';
import { MysqlStateConnection } from '../adapters/state/mysql-state-connection.js';
import { checkStateTables } from '../adapters/state/mysql-state-tables.js';
import { MysqlWaveClaims, runningClaims } from '../adapters/state/mysql-wave-claims.js';
import { FileJournalStore, JOURNAL_FILE } from '../engine/journal/file-journal-store.js';
import { CampaignLock, isProcessAlive } from '../engine/lock/campaign-lock.js';
import type { LockIdentity, LockOwner } from '../engine/lock/lock-owner.js';
import { makeStateDirPrivate, type NarrowedMode } from '../engine/lock/private-state-dir.js';
import type { RunnerLease } from '../engine/lock/runner-lease.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalReadResult, JournalStore } from '../engine/ports/journal-store.js';
import type { WaveClaims } from '../engine/ports/wave-claims.js';
import type { Campaign, MysqlStateSettings } from '../model/campaign-schema.js';

/**
 * Where a campaign's journal and its holder live: the file store (a journal and a lock file in
 * the state dir, the default) or the MySQL store (`state: { store: mysql }`: rows and leases that
 * every runner and operator share). The commands ask this module, never a store directly.
 */
export interface CampaignState {
  /** Where the journal is, for messages: a path, or `user@host:port/database`. */
  readonly journalWhere: string;
  /** The journal as it is now, without holding the campaign: a view, safe while a run appends. */
  read(): Promise<JournalReadResult>;
  /** Takes the campaign for a run (exit 3 when another holds it). */
  hold(request: HoldRequest): Promise<HeldCampaign>;
  /**
   * A journal to append an operator's record to (a hand-off): the MySQL store writes it beside
   * any runner (it touches no server, so no lease fences it; seq is taken under a row lock); the
   * file store has one writer, so it takes the lock for the one record (exit 3 while a run holds it).
   */
  operatorJournal(identity: LockIdentity): Promise<OperatorJournal>;
  /** Whether runners share the store (MySQL): then `holders` says who runs the campaign. */
  readonly shared: boolean;
  /** The store's view of who holds the campaign, for `status`. */
  holders(): Promise<readonly RunnerLease[]>;
  close(): Promise<void>;
}

export interface HoldRequest {
  readonly identity: LockIdentity;
  /** What the holder does, e.g. `run --wave 2`. */
  readonly purpose: string;
  /** `--runner NAME`: the lease's name in the MySQL store (the host name when not given). */
  readonly runner?: string | undefined;
}

/** The campaign held by this run: its journal to append to, released at the end. */
export interface HeldCampaign {
  readonly journal: JournalStore & { close(): Promise<void> };
  /** Holders that were gone and were taken over: the caller raises a `stale-lock` alert for each. */
  readonly tookOverFrom: readonly LockOwner[];
  /** What was opened to others in the state dir and is private now: the caller says so once. */
  readonly narrowed: readonly NarrowedMode[];
  /** A shared store's claims on a wave, for runners that share it; none for the file store. */
  readonly claims?: (wave: number) => WaveClaims;
  release(): Promise<void>;
}

/** A journal opened for one operator's record, and what gives back what it took. */
export interface OperatorJournal {
  readonly journal: JournalStore;
  release(): Promise<void>;
}

/** Opens the campaign's state store; the MySQL store is checked to be initialised (state init). */
export async function openCampaignState(options: {
  readonly campaign: Campaign;
  readonly campaignFile: string;
  readonly stateDir: string;
  readonly clock: Clock;
}): Promise<CampaignState> {
  const { campaign, stateDir, clock } = options;
  const store = campaign.state;
  if (store?.store === 'mysql') {
    const connection = await openMysqlState(store, options.campaignFile, clock);
    try {
      await connection.transaction((session) => checkStateTables(session, store.database));
    } catch (error) {
      await connection.close();
      throw error;
    }
    return mysqlCampaignState(connection, campaign.campaign, store, stateDir, clock);
  }
  return fileCampaignState(campaign.campaign, stateDir, clock);
}

/** A connection to the MySQL store the campaign names, its password read as the servers' is. */
export async function openMysqlState(
  store: MysqlStateSettings,
  campaignFile: string,
  clock: Clock,
): Promise<MysqlStateConnection> {
  const login = await mysqlSettingsFromCampaign(store, campaignFile, process.env, 'state');
  return new MysqlStateConnection(store, login, clock);
}

function fileCampaignState(campaign: string, stateDir: string, clock: Clock): CampaignState {
  return {
    journalWhere: join(stateDir, JOURNAL_FILE),
    read: () => new FileJournalStore({ stateDir, campaign, clock }).read(),
    hold: async (request) => {
      const { lock, tookOverFrom, narrowed } = await CampaignLock.acquire({
        stateDir,
        clock,
        identity: request.identity,
        isProcessAlive,
        purpose: request.purpose,
      });
      return {
        journal: new FileJournalStore({ stateDir, campaign, clock, fence: lock }),
        tookOverFrom: tookOverFrom === undefined ? [] : [tookOverFrom],
        narrowed,
        release: () => lock.release(),
      };
    },
    operatorJournal: async (identity) => {
      const { lock } = await CampaignLock.acquire({
        stateDir,
        clock,
        identity,
        isProcessAlive,
        purpose: 'handoff',
      });
      const journal = new FileJournalStore({ stateDir, campaign, clock, fence: lock });
      return {
        journal,
        release: async () => {
          await journal.close();
          await lock.release();
        },
      };
    },
    holders: async () => [],
    shared: false,
    close: async () => undefined,
  };
}

/**
 * How long a runner told to wait asks again: a fifth of the lease (a slot freed elsewhere is seen
 * soon, a dead runner's servers soon after its lease ends), within 0.5 to 5 s.
 */
function claimRetryMs(leaseMs: number): number {
  return Math.min(5_000, Math.max(500, Math.floor(leaseMs / 5)));
}

function mysqlCampaignState(
  connection: MysqlStateConnection,
  campaign: string,
  store: MysqlStateSettings,
  stateDir: string,
  clock: Clock,
): CampaignState {
  return {
    journalWhere: `${connection.where} (table dbwave_journal, campaign ${campaign})`,
    read: () => new MysqlJournalStore(connection, campaign, clock).read(),
    hold: async (request) => {
      // Command output still goes to the local state dir, private as in the file store.
      const narrowed = await makeStateDirPrivate(stateDir);
      const { lease, tookOverFrom } = await MysqlCampaignLease.acquire(
        connection,
        campaign,
        {
          runner: request.runner ?? request.identity.host,
          host: request.identity.host,
          pid: request.identity.pid,
          operator: request.identity.user,
          purpose: request.purpose,
        },
        store.lease,
      );
      return {
        journal: new MysqlJournalStore(connection, campaign, clock, lease),
        tookOverFrom: tookOverFrom.map(leaseOwner),
        narrowed,
        claims: (wave) =>
          new MysqlWaveClaims(
            connection,
            lease,
            wave,
            new MysqlJournalStore(connection, campaign, clock),
            claimRetryMs(store.lease),
          ),
        release: () => lease.release(),
      };
    },
    operatorJournal: async (identity) => ({
      journal: new MysqlJournalStore(
        connection,
        campaign,
        clock,
        operatorWriter(identity.user, identity.host),
      ),
      release: async () => undefined,
    }),
    holders: async () => {
      const { leases, claims } = await connection.transaction(async (session) => ({
        leases: await leasesOf(session, campaign),
        claims: await runningClaims(session, campaign),
      }));
      return leases.map((lease: LeaseRow) => ({
        runner: lease.runner,
        owner: leaseOwner(lease),
        token: lease.token,
        expires: storeInstant(lease.expires),
        expired: lease.expired,
        servers: claims
          .filter((claim) => claim.runner === lease.runner && claim.token === lease.token)
          .map((claim) => claim.server),
      }));
    },
    shared: true,
    close: () => connection.close(),
  };
}
