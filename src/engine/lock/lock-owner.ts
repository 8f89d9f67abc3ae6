/** Who holds a campaign's lock, as written in `<stateDir>/lock.json`. */
export interface LockOwner {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** ISO instant the lock was taken. */
  readonly started: string;
  /** ISO instant of the holder's last sign of life, refreshed every few seconds. */
  readonly heartbeat: string;
  /** What the holder is doing, e.g. `run --wave 2`. */
  readonly purpose?: string;
}

/** The identity of this process, without the times. */
export type LockIdentity = Pick<LockOwner, 'user' | 'host' | 'pid'>;
