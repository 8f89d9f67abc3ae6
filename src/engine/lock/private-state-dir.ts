import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The state dir and every folder in it: its owner only (journal, lock, log, command output). */
export const STATE_DIR_MODE = 0o700;
/** Every file in the state dir: output can hold whatever a DBA's command prints. */
export const STATE_FILE_MODE = 0o600;

/** A file or folder whose mode was narrowed. */
export interface NarrowedMode {
  readonly path: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Creates the state dir 0700, or makes an existing one private again: the folder and every
 * folder under it 0700, every file 0600. A symlink is neither followed nor changed. Returns what
 * had to be narrowed (an older dbwave created these 0755 and 0644), so the caller says so once.
 */
export async function makeStateDirPrivate(stateDir: string): Promise<readonly NarrowedMode[]> {
  await mkdir(stateDir, { recursive: true, mode: STATE_DIR_MODE });
  const narrowed: NarrowedMode[] = [];
  await narrow(stateDir, narrowed);
  return narrowed;
}

/** One line for stderr about what makeStateDirPrivate narrowed; undefined when nothing. */
export function describeNarrowed(stateDir: string, narrowed: readonly NarrowedMode[]): string | undefined {
  if (narrowed.length === 0) return undefined;
  const top = narrowed.find((entry) => entry.path === stateDir);
  const others = narrowed.length - (top === undefined ? 0 : 1);
  const parts = [
    top === undefined ? undefined : `${stateDir} was ${octal(top.from)}, now ${octal(top.to)}`,
    others === 0
      ? undefined
      : `${others} file(s) and folder(s) in ${stateDir} were open to others, now 0600/0700`,
  ].filter((part) => part !== undefined);
  return `made the state dir private (it holds the journal, the lock and command output): ${parts.join('; ')}`;
}

async function narrow(path: string, narrowed: NarrowedMode[]): Promise<void> {
  const found = await lstat(path);
  if (found.isSymbolicLink()) return;
  const directory = found.isDirectory();
  const wanted = directory ? STATE_DIR_MODE : STATE_FILE_MODE;
  const mode = found.mode & 0o7777;
  if ((mode & ~wanted) !== 0) {
    await chmod(path, mode & wanted);
    narrowed.push({ path, from: mode, to: mode & wanted });
  }
  if (!directory) return;
  for (const name of await readdir(path)) await narrow(join(path, name), narrowed);
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
