/**
 * The bounds on what dbwave reads from a file a person wrote. An input file is a few hundred
 * kilobytes for the source case's 130 servers and about 15 MB for 100,000 servers in one class;
 * past these bounds a file is refused (exit 2) before it can cost seconds and gigabytes.
 */
export const INPUT_LIMITS = {
  /** Largest class, campaign or plan file read, in bytes. */
  fileBytes: 32 * 1024 * 1024,
  /**
   * Longest line, in characters, checked before the YAML is parsed: a 30 MB string on one line
   * would otherwise cost seconds and a gigabyte to parse only to be refused by the next bound.
   */
  lineLength: 1024 * 1024,
  /** Longest string value in such a file, in characters: a command template or a smoke query fits many times. */
  stringLength: 64 * 1024,
  /**
   * How many times aliases (`*name`) may be expanded in one file, counting the nodes each
   * expansion copies: a file that reuses one anchor a few hundred times is fine, a "billion
   * laughs" file (aliases of aliases) passes this bound after a few levels and is refused.
   */
  aliasExpansions: 10_000,
  /**
   * Most hosts `dbwave import` takes from one inventory or spreadsheet, counted as ranges expand
   * (`db[1:99999999]` is refused before it is expanded): the 100,000-server fleet above.
   */
  importedHosts: 100_000,
  /**
   * Most columns `dbwave import csv` reads from one spreadsheet: a server list has a dozen or
   * two; a header of a million commas is refused before a field is kept.
   */
  importedColumns: 1_000,
} as const;
