import { mkdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Caps one process's writes to the disk under a directory, with the cgroup v1 blkio throttle
 * (direct I/O only, which is what InnoDB's O_DIRECT page writes are). The pre-flush bench uses it
 * to give a local-fleet server a production disk's ratio of flush time to everything else: a
 * production pool is a hundred times this one and its disks are no faster.
 */

const BLKIO = '/sys/fs/cgroup/blkio';

export interface WriteThrottle {
  /** Moves the process back to the root group and removes the group. Never throws. */
  release(): Promise<void>;
}

/** The `major:minor` of the block device that holds `path` (Linux dev_t encoding). */
async function deviceOf(path: string): Promise<string> {
  const { dev } = await stat(path);
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & ~0xff);
  return `${major}:${minor}`;
}

/**
 * Throttles `pid`'s writes to the device of `path` to `bytesPerSecond`; throws with the reason
 * when the machine cannot (no cgroup v1 blkio hierarchy, not root).
 */
export async function throttleWrites(
  pid: number,
  path: string,
  bytesPerSecond: number,
  name: string,
): Promise<WriteThrottle> {
  const group = join(BLKIO, `dbwave-bench-${name}`);
  await mkdir(group, { recursive: true });
  await writeFile(
    join(group, 'blkio.throttle.write_bps_device'),
    `${await deviceOf(path)} ${bytesPerSecond}\n`,
  );
  await writeFile(join(group, 'cgroup.procs'), `${pid}\n`);
  return {
    release: async () => {
      // The process may be gone already (the shutdown under test): nothing to move then.
      await writeFile(join(BLKIO, 'cgroup.procs'), `${pid}\n`).catch(() => undefined);
      await rmdir(group).catch(() => undefined);
    },
  };
}
