import { z } from 'zod';

/** Who holds a campaign's lock, as written in `<stateDir>/lock.json`; checked when read back. */
export const lockOwnerSchema = z.object({
  user: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /**
   * When the holder's process started (`<boot id>:<ticks>`, Linux only), so that a pid reused by
   * another process, or a zombie, is not taken for the holder. Absent in locks of older versions.
   */
  processStart: z.string().optional(),
  /** ISO instant the lock was taken. */
  started: z.string(),
  /** ISO instant of the holder's last sign of life, refreshed every few seconds. */
  heartbeat: z.string(),
  /** What the holder is doing, e.g. `run --wave 2`. */
  purpose: z.string().optional(),
});
export type LockOwner = Readonly<z.output<typeof lockOwnerSchema>>;

/** The identity of this process, without the times. */
export type LockIdentity = Pick<LockOwner, 'user' | 'host' | 'pid' | 'processStart'>;
