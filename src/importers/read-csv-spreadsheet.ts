import { InputError } from '../core/errors.js';
import { csvServers } from './csv-servers.js';
import type { ImportSource } from './imported-server.js';
import { readImportText } from './read-import-text.js';

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
  const { text, shownAs } = await readImportText(input.path, input.cwd, input.stdin);
  const servers = csvServers(text, shownAs, input.groupBy);
  if ('issues' in servers) throw new InputError(servers.issues);
  return servers;
}
