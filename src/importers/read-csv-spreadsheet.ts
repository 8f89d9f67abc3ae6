import { resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { displayPath } from '../inventory/display-path.js';
import { readBoundedStream, readBoundedText } from '../inventory/read-bounded-text.js';
import { csvServers } from './csv-servers.js';
import type { ImportSource } from './imported-server.js';

/** Where a spreadsheet is read from. */
export interface CsvSpreadsheetInput {
  /** The CSV file, or `-` for standard input. */
  readonly path: string;
  readonly cwd: string;
  readonly stdin: AsyncIterable<Buffer | string>;
  /** The column whose value is the class, instead of `class`. */
  readonly groupBy?: string | undefined;
}

/**
 * Reads a spreadsheet saved as CSV (a file or stdin, within the input limits) into servers.
 *
 * @throws InputError with every problem, each naming its file, line and column.
 */
export async function readCsvSpreadsheet(input: CsvSpreadsheetInput): Promise<ImportSource> {
  const fromStdin = input.path === '-';
  const file = resolve(input.cwd, input.path);
  const shownAs = fromStdin ? 'stdin' : displayPath(file, input.cwd);
  const read = fromStdin
    ? await readBoundedStream(input.stdin, shownAs)
    : await readBoundedText(file, shownAs);
  if ('issue' in read) throw new InputError([read.issue]);
  const servers = csvServers(read.text, shownAs, input.groupBy);
  if ('issues' in servers) throw new InputError(servers.issues);
  return servers;
}
