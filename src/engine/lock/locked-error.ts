import { formatDuration } from '../../core/duration.js';
import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { LockOwner } from './lock-owner.js';

/** Another dbwave holds the campaign's lock (exit 3): says who, and whether it looks stale. */
export class LockedError extends DbwaveError {
  readonly holder: LockOwner;
  /** The holder's heartbeat is older than the stale limit: `dbwave unlock --force` may be needed. */
  readonly stale: boolean;

  constructor(lockFile: string, holder: LockOwner, stale: boolean, heartbeatAgeMs: number) {
    const who = `${holder.user}@${holder.host} pid ${holder.pid}, since ${holder.started}`;
    const beat = `last heartbeat ${formatDuration(heartbeatAgeMs)} ago`;
    const message = stale
      ? `${lockFile} is held by ${who}; ${beat}, so it looks stale. If that run is really gone, run dbwave unlock PLAN --force`
      : `${lockFile} is held by ${who} (${beat}); another dbwave is running this campaign`;
    super(ErrorCode.Locked, message);
    this.holder = holder;
    this.stale = stale;
  }
}
