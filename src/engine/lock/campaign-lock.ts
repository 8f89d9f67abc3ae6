import { link, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DbwaveError, ErrorCode } from '../../core/errors.js';
import { writeFileAtomically } from '../../core/write-file-atomically.js';
import type { Clock } from '../ports/clock.js';
import { type LockIdentity, type LockOwner, lockOwnerSchema } from './lock-owner.js';
import { LockedError } from './locked-error.js';
import { makeStateDirPrivate, type NarrowedMode, STATE_FILE_MODE } from './private-state-dir.js';

export const LOCK_FILE = 'lock.json';

export interface CampaignLockOptions {
  readonly stateDir: string;
  readonly clock: Clock;
  readonly identity: LockIdentity;
  readonly purpose?: string;
  /** Whether a pid is alive on this host (process.kill(pid, 0) in production). */
  readonly isProcessAlive: (pid: number) => boolean;
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

/** What `inspectLock` finds. */
export type LockInspection =
  | { readonly state: 'free' }
  | { readonly state: 'held'; readonly owner: LockOwner; readonly heartbeatAgeMs: number }
  | { readonly state: 'stale'; readonly owner: LockOwner; readonly heartbeatAgeMs: number }
  | { readonly state: 'dead'; readonly owner: LockOwner; readonly heartbeatAgeMs: number };

/** The process's own liveness check: signal 0 probes without touching the process. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a lock file; undefined when there is none. */
export async function readLockOwner(stateDir: string): Promise<LockOwner | undefined> {
  const file = join(stateDir, LOCK_FILE);
  try {
    return await readLockFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DbwaveError(ErrorCode.Locked, `${file} is unreadable; remove it by hand`, { cause: error });
  }
}

/** A lock file's owner, checked: a file that is not one throws (ZodError, or SyntaxError for bad JSON). */
async function readLockFile(file: string): Promise<LockOwner> {
  return lockOwnerSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

/**
 * Classifies the current lock: `dead` is a lock of this host whose process is gone (safe to take
 * over), `stale` one of another host whose heartbeat is old (reported, never waited on).
 */
export async function inspectLock(
  options: Pick<CampaignLockOptions, 'stateDir' | 'clock' | 'identity' | 'isProcessAlive' | 'staleAfterMs'>,
): Promise<LockInspection> {
  const owner = await readLockOwner(options.stateDir);
  if (!owner) return { state: 'free' };
  const heartbeatAgeMs = Math.max(0, options.clock.now() - Date.parse(owner.heartbeat));
  if (owner.host === options.identity.host) {
    const alive = owner.pid !== options.identity.pid && options.isProcessAlive(owner.pid);
    return { state: alive ? 'held' : 'dead', owner, heartbeatAgeMs };
  }
  const stale = heartbeatAgeMs > (options.staleAfterMs ?? 60_000);
  return { state: stale ? 'stale' : 'held', owner, heartbeatAgeMs };
}

/**
 * The campaign's lock: one `dbwave run` per campaign at a time. Created with O_EXCL, so two runs
 * racing for it cannot both win; refreshed by a heartbeat whose timer never keeps the process
 * alive. A lock left by a dead process of this host is taken over (the caller alerts); any
 * other holder is refused with who it is, and an old heartbeat is called stale so that nobody
 * waits silently on a lock that nothing will release. Whoever takes the lock writes in the state
 * dir, so taking it first creates the state dir private, or makes it private again.
 */
export class CampaignLock {
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
    if (found.state !== 'dead') {
      throw new LockedError(lock.file, found.owner, found.state === 'stale', found.heartbeatAgeMs);
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
    throw new LockedError(this.file, found.owner, found.state === 'stale', found.heartbeatAgeMs);
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, this.options.heartbeatMs ?? 5_000);
    this.timer.unref();
  }

  private async rewrite(): Promise<void> {
    const current = await readLockOwner(this.options.stateDir);
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

/**
 * `dbwave unlock --force`: removes the lock, whoever holds it, except a live process of this host
 * (that run is really going; stop it instead). Returns the owner that was removed.
 */
export async function forceUnlock(
  options: Pick<CampaignLockOptions, 'stateDir' | 'clock' | 'identity' | 'isProcessAlive' | 'staleAfterMs'>,
): Promise<LockOwner | undefined> {
  const found = await inspectLock(options);
  if (found.state === 'free') return undefined;
  if (found.state === 'held' && found.owner.host === options.identity.host) {
    throw new LockedError(join(options.stateDir, LOCK_FILE), found.owner, false, found.heartbeatAgeMs);
  }
  await rm(join(options.stateDir, LOCK_FILE), { force: true });
  return found.owner;
}
