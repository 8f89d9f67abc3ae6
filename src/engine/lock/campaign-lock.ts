import { link, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { formatDuration } from '../../core/duration.js';
import { DbwaveError, ErrorCode, errorMessage } from '../../core/errors.js';
import { writeFileAtomically } from '../../core/write-file-atomically.js';
import type { Clock } from '../ports/clock.js';
import type { JournalFence } from '../ports/journal-fence.js';
import { LockLostError } from './lock-lost-error.js';
import { type LockIdentity, type LockOwner, lockOwnerSchema } from './lock-owner.js';
import { LockedError } from './locked-error.js';
import { makeStateDirPrivate, type NarrowedMode, STATE_FILE_MODE } from './private-state-dir.js';

export const LOCK_FILE = 'lock.json';

export interface CampaignLockOptions {
  readonly stateDir: string;
  readonly clock: Clock;
  readonly identity: LockIdentity;
  readonly purpose?: string;
  /**
   * Whether the process that wrote a lock is alive on this host (process-liveness.ts in
   * production: not gone, not a zombie, and started when the lock says).
   */
  readonly isProcessAlive: (pid: number, processStart?: string) => boolean;
  /** How often the heartbeat is refreshed (default 5 s). */
  readonly heartbeatMs?: number;
  /** A heartbeat older than this marks another host's lock as stale (default 60 s). */
  readonly staleAfterMs?: number;
}

export interface AcquiredLock {
  readonly lock: CampaignLock;
  /** Set when a dead process's lock on this host was taken over: the caller raises an alert. */
  readonly tookOverFrom?: LockOwner;
  /** What was opened to others in the state dir and is private now: the caller says so once. */
  readonly narrowed: readonly NarrowedMode[];
}

/** A heartbeat further ahead of this host's clock than this is clock skew, not jitter. */
export const CLOCK_SKEW_TOLERANCE_MS = 10_000;

/** What `inspectLock` finds. */
export type LockInspection =
  | { readonly state: 'free' }
  | {
      readonly state: 'held';
      readonly owner: LockOwner;
      readonly heartbeatAgeMs: number;
      /** Set when the heartbeat is ahead of this host's clock: its age says nothing. */
      readonly clockSkewMs?: number;
    }
  | { readonly state: 'stale'; readonly owner: LockOwner; readonly heartbeatAgeMs: number }
  | { readonly state: 'dead'; readonly owner: LockOwner; readonly heartbeatAgeMs: number }
  | {
      /** A lock file that is empty or not a lock: who holds it is unknown. */
      readonly state: 'unreadable';
      readonly problem: string;
      /** Since the file last changed: a live holder rewrites it every few seconds. */
      readonly changedAgoMs: number;
    };

export { isProcessAlive } from './process-liveness.js';

/** Reads a lock file; undefined when there is none; throws the problem of a file that is no lock. */
export async function readLockOwner(stateDir: string): Promise<LockOwner | undefined> {
  try {
    return await readLockFile(join(stateDir, LOCK_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A lock file's owner, checked: a file that is not one throws (ZodError, or SyntaxError for bad JSON). */
async function readLockFile(file: string): Promise<LockOwner> {
  const text = await readFile(file, 'utf8');
  if (text.trim() === '') throw new Error('the file is empty');
  return lockOwnerSchema.parse(JSON.parse(text));
}

/** What is wrong with a lock file, in one line (a zod error names the key). */
function lockProblem(error: unknown): string {
  if (error instanceof ZodError) {
    const first = error.issues[0];
    return `key ${first?.path.join('.') || '(top)'}: ${first?.message ?? 'invalid'}`;
  }
  return errorMessage(error);
}

/**
 * Classifies the current lock: `dead` is a lock of this host whose process is gone (safe to take
 * over), `stale` one of another host whose heartbeat is old (reported, never waited on),
 * `unreadable` a file that is no lock (reported with its problem; never guessed at).
 */
export async function inspectLock(
  options: Pick<CampaignLockOptions, 'stateDir' | 'clock' | 'identity' | 'isProcessAlive' | 'staleAfterMs'>,
): Promise<LockInspection> {
  const file = join(options.stateDir, LOCK_FILE);
  let owner: LockOwner | undefined;
  try {
    owner = await readLockOwner(options.stateDir);
  } catch (error) {
    const changed = await stat(file).then(
      (found) => found.mtimeMs,
      () => options.clock.now(),
    );
    return {
      state: 'unreadable',
      problem: lockProblem(error),
      changedAgoMs: Math.max(0, options.clock.now() - changed),
    };
  }
  if (!owner) return { state: 'free' };
  const sinceHeartbeat = options.clock.now() - Date.parse(owner.heartbeat);
  const heartbeatAgeMs = Math.max(0, sinceHeartbeat);
  if (owner.host === options.identity.host) {
    const alive = owner.pid !== options.identity.pid && options.isProcessAlive(owner.pid, owner.processStart);
    return { state: alive ? 'held' : 'dead', owner, heartbeatAgeMs };
  }
  if (-sinceHeartbeat > CLOCK_SKEW_TOLERANCE_MS) {
    return { state: 'held', owner, heartbeatAgeMs, clockSkewMs: -sinceHeartbeat };
  }
  const stale = heartbeatAgeMs > staleAfter(options);
  return { state: stale ? 'stale' : 'held', owner, heartbeatAgeMs };
}

function staleAfter(options: Pick<CampaignLockOptions, 'staleAfterMs'>): number {
  return options.staleAfterMs ?? 60_000;
}

/** The refusal for a lock file that is no lock, with the safe way out. */
function unreadableLock(file: string, found: { problem: string; changedAgoMs: number }): DbwaveError {
  return new DbwaveError(
    ErrorCode.Locked,
    `${file} is not a lock dbwave can read (${found.problem}; it last changed ${formatDuration(found.changedAgoMs)} ago). If no dbwave is running this campaign, dbwave unlock PLAN --force removes it`,
  );
}

/**
 * The campaign's lock: one `dbwave run` per campaign at a time. Created with O_EXCL, so two runs
 * racing for it cannot both win; refreshed by a heartbeat whose timer never keeps the process
 * alive. A lock left by a dead process of this host is taken over (the caller alerts); any
 * other holder is refused with who it is, and an old heartbeat is called stale so that nobody
 * waits silently on a lock that nothing will release. Whoever takes the lock writes in the state
 * dir, so taking it first creates the state dir private, or makes it private again.
 */
export class CampaignLock implements JournalFence {
  readonly file: string;
  private owner: LockOwner;
  private readonly options: CampaignLockOptions;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  private constructor(options: CampaignLockOptions, owner: LockOwner) {
    this.options = options;
    this.owner = owner;
    this.file = join(options.stateDir, LOCK_FILE);
  }

  static async acquire(options: CampaignLockOptions): Promise<AcquiredLock> {
    const narrowed = await makeStateDirPrivate(options.stateDir);
    return { ...(await CampaignLock.take(options)), narrowed };
  }

  private static async take(options: CampaignLockOptions): Promise<Omit<AcquiredLock, 'narrowed'>> {
    const at = new Date(options.clock.now()).toISOString();
    const owner: LockOwner = {
      ...options.identity,
      started: at,
      heartbeat: at,
      ...(options.purpose === undefined ? {} : { purpose: options.purpose }),
    };
    const lock = new CampaignLock(options, owner);
    if (await lock.create()) {
      lock.startHeartbeat();
      return { lock };
    }
    const found = await inspectLock(options);
    if (found.state === 'free') return CampaignLock.take(options);
    if (found.state === 'unreadable') throw unreadableLock(lock.file, found);
    if (found.state !== 'dead') {
      throw lockedError(lock.file, found);
    }
    await lock.takeOver(found.owner);
    lock.startHeartbeat();
    return { lock, tookOverFrom: found.owner };
  }

  /** Stops the heartbeat and removes the lock, if it is still ours. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    const current = await readLockOwner(this.options.stateDir).catch(() => undefined);
    if (current && sameOwner(current, this.owner)) await rm(this.file, { force: true });
  }

  /**
   * Checks that the lock file is still this run's: called before every journal append, so a run
   * whose lock was removed or taken over stops before its next side effect (LockLostError).
   */
  async assertHeld(): Promise<void> {
    let current: LockOwner | undefined;
    try {
      current = await readLockOwner(this.options.stateDir);
    } catch {
      current = undefined;
    }
    if (!current || !sameOwner(current, this.owner)) throw new LockLostError(this.file, current);
  }

  /** Writes a fresh heartbeat now (the timer does this every few seconds). */
  async beat(): Promise<void> {
    this.owner = { ...this.owner, heartbeat: new Date(this.options.clock.now()).toISOString() };
    const next = this.writing.then(() => this.rewrite());
    this.writing = next.catch(() => undefined);
    await next;
  }

  private async create(): Promise<boolean> {
    try {
      const handle = await open(this.file, 'wx', STATE_FILE_MODE);
      try {
        await handle.writeFile(`${JSON.stringify(this.owner)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /**
   * Moves the dead lock aside (rename is atomic: of two runs taking over, one wins), checks it
   * is the lock that was judged dead, and creates ours with O_EXCL.
   */
  private async takeOver(dead: LockOwner): Promise<void> {
    const aside = `${this.file}.dead-${this.options.identity.pid}`;
    try {
      await rename(this.file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.retakeFresh();
      throw error;
    }
    const moved = await readLockFile(aside);
    if (!sameOwner(moved, dead)) {
      // Someone else took it over between our look and our rename: put theirs back, and yield.
      await link(aside, this.file).catch(() => undefined);
      await unlink(aside);
      throw new LockedError(this.file, moved, false, 0);
    }
    await unlink(aside);
    return this.retakeFresh();
  }

  private async retakeFresh(): Promise<void> {
    if (await this.create()) return;
    const found = await inspectLock(this.options);
    if (found.state === 'free' || found.state === 'dead') {
      throw new DbwaveError(ErrorCode.Locked, `${this.file}: lost a race for the lock; try again`);
    }
    if (found.state === 'unreadable') throw unreadableLock(this.file, found);
    throw lockedError(this.file, found);
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, this.options.heartbeatMs ?? 5_000);
    this.timer.unref();
  }

  private async rewrite(): Promise<void> {
    const current = await readLockOwner(this.options.stateDir).catch(() => undefined);
    if (!current || !sameOwner(current, this.owner)) {
      // Removed by `unlock --force`, maybe already another run's: never write over it.
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    await writeFileAtomically(this.file, `${JSON.stringify(this.owner)}\n`, { mode: STATE_FILE_MODE });
  }
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.host === b.host && a.pid === b.pid && a.started === b.started;
}

/** Refuses a held, stale or dead lock with who holds it (and the clock skew, if any). */
function lockedError(
  file: string,
  found: Extract<LockInspection, { owner: LockOwner }>,
  hint?: string,
): LockedError {
  const skew = found.state === 'held' ? found.clockSkewMs : undefined;
  return new LockedError(file, found.owner, found.state === 'stale', found.heartbeatAgeMs, {
    ...(skew === undefined ? {} : { clockSkewMs: skew }),
    ...(hint === undefined ? {} : { hint }),
  });
}

/** What `dbwave unlock --force` removed. */
export type RemovedLock =
  | { readonly removed: 'nothing' }
  | { readonly removed: 'owner'; readonly owner: LockOwner }
  | { readonly removed: 'unreadable'; readonly problem: string };

/**
 * `dbwave unlock --force`: removes a lock that no run will release, and refuses one that a run
 * may still hold: a live process of this host, another host's fresh heartbeat (that run is alive:
 * stop it there), a file that is no lock but changed within the stale limit (something writes it).
 * A heartbeat from a host whose clock is ahead says nothing by its age, so it is watched for one
 * stale period instead: removed only if it did not change. `onWatch` says that a watch began.
 */
export async function forceUnlock(
  options: Pick<CampaignLockOptions, 'stateDir' | 'clock' | 'identity' | 'isProcessAlive' | 'staleAfterMs'>,
  onWatch: (message: string) => void = () => undefined,
): Promise<RemovedLock> {
  const file = join(options.stateDir, LOCK_FILE);
  const found = await inspectLock(options);
  if (found.state === 'free') return { removed: 'nothing' };
  if (found.state === 'unreadable') {
    if (found.changedAgoMs < staleAfter(options)) {
      throw new DbwaveError(
        ErrorCode.Locked,
        `${file} is not a lock dbwave can read (${found.problem}), and it changed ${formatDuration(found.changedAgoMs)} ago: something may be writing it. Try again once it has not changed for ${formatDuration(staleAfter(options))}`,
      );
    }
    await rm(file, { force: true });
    return { removed: 'unreadable', problem: found.problem };
  }
  if (found.state === 'held' && found.clockSkewMs !== undefined) {
    onWatch(
      `${file}: the heartbeat of ${found.owner.host} is ${formatDuration(found.clockSkewMs)} ahead of this host's clock, so its age says nothing; watching it for ${formatDuration(staleAfter(options))} to see whether its run still beats`,
    );
    await options.clock.sleep(staleAfter(options));
    const later = await readLockOwner(options.stateDir).catch(() => undefined);
    if (later !== undefined && later.heartbeat !== found.owner.heartbeat) {
      throw lockedError(
        file,
        found,
        `its heartbeat changed while watched: that run is alive; stop it on ${found.owner.host}`,
      );
    }
  } else if (found.state === 'held') {
    throw lockedError(
      file,
      found,
      found.owner.host === options.identity.host
        ? 'that process is alive on this host; stop it instead'
        : `its heartbeat is fresh: that run is alive; stop it on ${found.owner.host}, or wait until its heartbeat is older than ${formatDuration(staleAfter(options))}`,
    );
  }
  await rm(file, { force: true });
  return { removed: 'owner', owner: found.owner };
}
