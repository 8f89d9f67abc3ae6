import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncFolder } from './sync-folder.js';

export interface WriteFileAtomicallyOptions {
  /**
   * The mode of a file that does not exist yet (default 0600: reports name servers, versions and
   * errors). A file that exists keeps its own mode, so that an operator's chmod survives a rewrite.
   */
  readonly mode?: number;
}

/**
 * Writes a whole file or nothing: a temporary file beside it (same folder, so the rename stays on
 * one file system), fsynced, renamed over the target, and the folder fsynced, so that a reader (a
 * person, node_exporter's textfile collector) never sees half a report or half a scrape, and a
 * crash right after never leaves an empty one.
 */
export async function writeFileAtomically(
  path: string,
  content: string,
  options: WriteFileAtomicallyOptions = {},
): Promise<void> {
  const mode = (await existingMode(path)) ?? options.mode ?? 0o600;
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      // Exactly this mode: the one given to open is narrowed by the umask.
      await handle.chmod(mode);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename lives in the folder's entry, not in the file.
  await syncFolder(dirname(path));
}

/** The permission bits of the file at `path`, when one is there. */
async function existingMode(path: string): Promise<number | undefined> {
  try {
    const found = await stat(path);
    return found.isFile() ? found.mode & 0o7777 : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
