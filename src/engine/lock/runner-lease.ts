import type { LockOwner } from './lock-owner.js';

/** A runner's lease on a campaign in a shared (MySQL) state store, as `status` shows it. */
export interface RunnerLease {
  /** `--runner NAME`, the host name by default. */
  readonly runner: string;
  /** Who runs it, in the file lock's terms (operator, host, pid, since, heartbeat). */
  readonly owner: LockOwner;
  /** The fencing token: larger for every later holder. */
  readonly token: number;
  /** When the lease ends unless renewed, ISO (the store's clock). */
  readonly expires: string;
  /** Whether it had ended when read (the store's clock): the next runner takes it over. */
  readonly expired: boolean;
  /** The servers it has claimed and runs now (a shared wave's claims), in claim order. */
  readonly servers: readonly string[];
}
