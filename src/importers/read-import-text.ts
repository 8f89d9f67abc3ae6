import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { displayPath } from '../inventory/display-path.js';
import { readBoundedStream, readBoundedText } from '../inventory/read-bounded-text.js';

/** The text an import reads, and how messages name it. */
export interface ImportText {
  readonly text: string;
  /** `stdin`, or the file as messages show it. */
  readonly shownAs: string;
  /** The absolute path of the file; undefined for stdin. */
  readonly file: string | undefined;
}

/**
 * Reads what `dbwave import` is given: a file, or `-` for standard input, within the input
 * limits.
 *
 * @throws InputError when it cannot be read or passes a limit.
 */
export async function readImportText(
  path: string,
  cwd: string,
  stdin: AsyncIterable<Buffer | string>,
): Promise<ImportText> {
  if (path === '-') {
    const read = await readBoundedStream(stdin, 'stdin');
    if ('issue' in read) throw new InputError([read.issue]);
    return { text: read.text, shownAs: 'stdin', file: undefined };
  }
  const file = resolve(cwd, path);
  const shownAs = displayPath(file, cwd);
  const read = await readBoundedText(file, shownAs);
  if ('issue' in read) throw new InputError([read.issue]);
  return { text: read.text, shownAs, file };
}
