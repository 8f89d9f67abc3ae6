import { formatDuration } from '../../core/duration.js';
import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { LockOwner } from './lock-owner.js';

/** What a refusal adds to who holds the lock. */
export interface LockedErrorDetails {
  /** The holder's heartbeat is this far ahead of this host's clock: its age says nothing. */
  readonly clockSkewMs?: number;
  /** Why the refusal, and the way out, when it is not the usual "another dbwave is running". */
  readonly hint?: string;
}

/** Another dbwave holds the campaign's lock (exit 3): says who, and whether it looks stale. */
export class LockedError extends DbwaveError {
  readonly holder: LockOwner;
  /** The holder's heartbeat is older than the stale limit: `dbwave unlock --force` may be needed. */
  readonly stale: boolean;

  constructor(
    lockFile: string,
    holder: LockOwner,
    stale: boolean,
    heartbeatAgeMs: number,
    details: LockedErrorDetails = {},
  ) {
    const who = `${holder.user}@${holder.host} pid ${holder.pid}, since ${holder.started}`;
    const beat =
      details.clockSkewMs === undefined
        ? `last heartbeat ${formatDuration(heartbeatAgeMs)} ago`
        : `its heartbeat is ${formatDuration(details.clockSkewMs)} ahead of this host's clock: the clocks of ${holder.host} and this host disagree (check NTP); dbwave unlock PLAN --force watches the heartbeat to tell whether that run is alive`;
    const message = stale
      ? `${lockFile} is held by ${who}; ${beat}, so it looks stale. If that run is really gone, run dbwave unlock PLAN --force`
      : `${lockFile} is held by ${who} (${beat}); ${details.hint ?? 'another dbwave is running this campaign'}`;
    super(ErrorCode.Locked, message);
    this.holder = holder;
    this.stale = stale;
  }
}
