import { resolve } from 'node:path';
import { writeFileAtomically } from '../core/write-file-atomically.js';
import type { CommandServices } from './command-services.js';

/**
 * Prints `text` on stdout, or with `--out` writes it whole (temporary file, fsync, rename) and says
 * where on stderr, so that stdout stays clean for pipes. A new file is 0600 (a report names
 * servers, versions and errors); a file that is there keeps its mode.
 */
export async function writeOutput(
  text: string,
  out: string | undefined,
  what: string,
  target: Pick<CommandServices, 'cwd' | 'streams'>,
): Promise<void> {
  if (out === undefined) {
    target.streams.stdout.write(text);
    return;
  }
  await writeFileAtomically(resolve(target.cwd, out), text);
  target.streams.stderr.write(`dbwave: wrote ${what} to ${out}\n`);
}
