import { isAbsolute, relative } from 'node:path';

/**
 * A path as messages show it: relative to the working directory when the file is below it
 * (`waves/mysql-5.1.58.yaml`), absolute otherwise.
 */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
