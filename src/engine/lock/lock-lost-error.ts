import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { LockOwner } from './lock-owner.js';

/**
 * This run's campaign lock is gone or belongs to someone else (`dbwave unlock --force` from
 * another host, a run that took over a lock it judged stale while this process was paused). The
 * run must stop before its next side effect: another run may be writing the same journal.
 */
export class LockLostError extends DbwaveError {
  constructor(lockFile: string, now: LockOwner | undefined) {
    const what =
      now === undefined
        ? 'it was removed (dbwave unlock --force?)'
        : `it now belongs to ${now.user}@${now.host} pid ${now.pid} (since ${now.started})`;
    super(
      ErrorCode.Locked,
      `${lockFile} is no longer this run's lock: ${what}. This run stops before its next side effect; the run holding the lock, or the next one, resumes from the journal`,
    );
  }
}
