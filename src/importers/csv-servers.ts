import type { InputIssue } from '../core/errors.js';
import { INPUT_LIMITS } from '../inventory/input-limits.js';
import { CSV_CLASS_COLUMN, CSV_SERVER_COLUMNS } from './csv-columns.js';
import { type CsvField, CsvReader, type CsvRecord } from './csv-reader.js';
import type { ImportedServer, ImportedServerKey, ImportReading } from './imported-server.js';
import { SkippedVariables, type SourcedValue, serverRecord } from './server-record.js';

/** What each column of the header is. */
type Column =
  | { readonly kind: 'name'; readonly header: string }
  | { readonly kind: 'key'; readonly header: string; readonly key: ImportedServerKey }
  | { readonly kind: 'class'; readonly header: string }
  | { readonly kind: 'var'; readonly header: string }
  /** The `class` column when `--group-by` names another. */
  | { readonly kind: 'unread'; readonly header: string }
  /** No header: refused only if a row has a value in it (exports often end with empty columns). */
  | { readonly kind: 'unnamed'; readonly header: string };

const KEY_BY_HEADER = new Map(
  Object.entries(CSV_SERVER_COLUMNS).flatMap(([key, headers]) => headers.map((header) => [header, key])),
);
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The servers of a spreadsheet saved as CSV: a header row names the columns
 * ({@link CSV_SERVER_COLUMNS}, the class column, and any other column as a template variable),
 * then one server per row. Cells are trimmed; an empty cell sets nothing (the host defaults to
 * the name); a row of empty cells is skipped. Every problem is an issue naming the file, the
 * line and the column.
 *
 * @param groupBy the column whose value is the class, instead of `class`.
 */
export function csvServers(text: string, shownAs: string, groupBy: string | undefined): ImportReading {
  const reader = new CsvReader(text);
  const header = reader.next(INPUT_LIMITS.importedColumns);
  if (header === undefined)
    return { issues: [{ file: shownAs, key: '', message: 'the file is empty: it needs a header row' }] };
  if ('message' in header) return { issues: [syntaxIssue(shownAs, header, `column ${header.field + 1}`)] };
  const columns = headerColumns(header, shownAs, groupBy);
  if ('issues' in columns) return columns;
  const width = columns.columns.length;

  const issues: InputIssue[] = [];
  const skipped = new SkippedVariables();
  const servers: ImportedServer[] = [];
  const lineOfName = new Map<string, number>();
  let rows = 0;
  for (;;) {
    const record = reader.next(width);
    if (record === undefined) break;
    if ('message' in record) {
      issues.push(
        syntaxIssue(shownAs, record, columns.columns[record.field]?.header ?? `column ${record.field + 1}`),
      );
      break;
    }
    if (record.fields.every((field) => field.text.trim() === '')) continue;
    rows += 1;
    if (rows > INPUT_LIMITS.importedHosts) {
      const limit = INPUT_LIMITS.importedHosts.toLocaleString('en-US');
      issues.push(at(shownAs, record.line, '', `more than ${limit} servers, more than dbwave imports`));
      break;
    }
    if (record.fieldCount !== width) {
      issues.push(
        at(
          shownAs,
          record.line,
          '',
          `the row has ${record.fieldCount} fields, the header ${width} columns (a comma inside a field needs the field in quotes)`,
        ),
      );
      continue;
    }
    const server = rowServer(record, columns, shownAs, groupBy, issues, skipped, lineOfName);
    if (server !== undefined) servers.push(server);
  }
  return issues.length > 0 ? { issues } : { shownAs, servers, skipped: skipped.list() };
}

/** The header's columns, and which one holds the class. */
interface Header {
  readonly columns: readonly Column[];
  readonly classIndex: number;
}

function headerColumns(
  header: CsvRecord,
  shownAs: string,
  groupBy: string | undefined,
): Header | { issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const issue = (key: string, message: string) => issues.push(at(shownAs, header.line, key, message));
  if (header.fieldCount > INPUT_LIMITS.importedColumns) {
    const limit = INPUT_LIMITS.importedColumns.toLocaleString('en-US');
    issue('', `the header has ${header.fieldCount} columns, more than the ${limit} dbwave reads`);
    return { issues };
  }
  const classHeader = (groupBy ?? CSV_CLASS_COLUMN).trim().toLowerCase();
  const seen = new Map<string, string>();
  let classIndex = -1;
  const columns = header.fields.map((field, index): Column => {
    const name = field.text.trim();
    const lower = name.toLowerCase();
    if (name === '') return { kind: 'unnamed', header: `column ${index + 1}` };
    const key = KEY_BY_HEADER.get(lower) as ImportedServerKey | 'name' | undefined;
    const gives = key ?? (lower === classHeader ? 'the class' : `vars.${lower}`);
    const earlier = seen.get(gives);
    if (earlier !== undefined)
      issue(name, `columns ${earlier} and ${name} both give ${gives} (headers are case-insensitive)`);
    seen.set(gives, name);
    if (lower === classHeader) classIndex = index;
    if (key === 'name') return { kind: 'name', header: name };
    if (key !== undefined) return { kind: 'key', header: name, key };
    if (lower === classHeader) return { kind: 'class', header: name };
    // --group-by names the class column instead: a `class` column is then not read at all.
    if (lower === CSV_CLASS_COLUMN) return { kind: 'unread', header: name };
    if (!VAR_NAME.test(name))
      issue(
        `column ${index + 1}`,
        `${JSON.stringify(name)} is neither a column dbwave reads (${knownHeaders()}) nor a template variable name (letters, digits and underscore, not starting with a digit)`,
      );
    return { kind: 'var', header: name };
  });
  if (!columns.some((column) => column.kind === 'name'))
    issue('name', 'the header has no name column: every server needs a name');
  if (classIndex < 0)
    issue(
      groupBy ?? CSV_CLASS_COLUMN,
      groupBy === undefined
        ? 'the header has no class column: add one, or name the column that holds the class with --group-by COLUMN'
        : `the header has no column ${groupBy} (--group-by)`,
    );
  return issues.length > 0 ? { issues } : { columns, classIndex };
}

function rowServer(
  record: CsvRecord,
  header: Header,
  shownAs: string,
  groupBy: string | undefined,
  issues: InputIssue[],
  skipped: SkippedVariables,
  lineOfName: Map<string, number>,
): ImportedServer | undefined {
  const sourced = (column: Column, field: CsvField): SourcedValue => ({
    value: field.text.trim(),
    key: column.header,
    origin: { file: shownAs, line: field.line },
  });
  let name: SourcedValue | undefined;
  const fields: Partial<Record<ImportedServerKey, SourcedValue>> = {};
  const vars = new Map<string, SourcedValue>();
  let unnamed: string | undefined;
  record.fields.forEach((field, index) => {
    const column = header.columns[index];
    if (column === undefined || field.text.trim() === '') return;
    if (column.kind === 'name') name = sourced(column, field);
    else if (column.kind === 'key') fields[column.key] = sourced(column, field);
    else if (column.kind === 'var') vars.set(column.header, sourced(column, field));
    else if (column.kind === 'unnamed') unnamed ??= column.header;
  });
  if (unnamed !== undefined) {
    issues.push(at(shownAs, record.line, unnamed, 'a value in a column with no name in the header'));
    return undefined;
  }
  if (name === undefined) {
    issues.push(at(shownAs, record.line, 'name', 'the name is empty: every server needs a name'));
    return undefined;
  }
  const nameText = String(name.value);
  const firstLine = lineOfName.get(nameText);
  if (firstLine !== undefined) {
    issues.push(at(shownAs, record.line, name.key, `${nameText} is named on line ${firstLine} already`));
    return undefined;
  }
  lineOfName.set(nameText, record.line);
  const classColumn = header.columns[header.classIndex]?.header ?? CSV_CLASS_COLUMN;
  const className = record.fields[header.classIndex]?.text.trim() ?? '';
  return serverRecord(
    {
      name,
      fields,
      vars,
      classes: className === '' ? [] : [className],
      noClassReason: `has an empty ${classColumn} cell${groupBy === undefined ? '' : ' (--group-by)'}`,
    },
    issues,
    skipped,
  );
}

function syntaxIssue(shownAs: string, error: { line: number; message: string }, column: string): InputIssue {
  return at(shownAs, error.line, column, error.message);
}

function at(file: string, line: number, key: string, message: string): InputIssue {
  return { file, line, key, message };
}

function knownHeaders(): string {
  return [...Object.values(CSV_SERVER_COLUMNS).map((headers) => headers[0]), CSV_CLASS_COLUMN].join(', ');
}
