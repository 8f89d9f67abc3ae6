/**
 * An answer of HAProxy's runtime API laid out as a table: a `# ` header naming the columns, then
 * one line per row (`show servers state` separates with spaces, `show stat` with commas).
 * Columns are looked up by name, since HAProxy versions append columns.
 */
export interface HeadedAnswer {
  /** The rows' fields, header and blank lines left out. */
  readonly rows: readonly (readonly string[])[];
  /** The index of a column; throws naming the command when HAProxy has no such column. */
  column(name: string): number;
}

/** Reads `text`; an answer without a header (an error such as `Can't find backend.`) is undefined. */
export function parseHeadedAnswer(
  text: string,
  command: string,
  separator: RegExp | string,
): HeadedAnswer | undefined {
  const lines = text.split('\n').map((line) => line.trim());
  const header = lines.find((line) => line.startsWith('#'));
  if (header === undefined) return undefined;
  const columns = header.replace(/^#\s*/, '').split(separator);
  return {
    rows: lines.filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(separator)),
    column: (name) => {
      const index = columns.indexOf(name);
      if (index < 0) throw new Error(`${command}: no ${name} column in "${header}"`);
      return index;
    },
  };
}
