import type { SqlRow } from '../../engine/ports/sql-session.js';

/**
 * Reading values out of driver rows: mysql2 gives BIGINT columns as number, string or bigint
 * depending on its options, and SHOW STATUS values are always text.
 */

/** A finite number from a numeric column or numeric text; undefined for ON/OFF, text, NULL. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** A column as text: NULL reads as `NULL`, buffers as UTF-8, dates as ISO instants. */
export function textValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** A column by name, whatever case the server used for it (information_schema is upper-case). */
export function column(row: SqlRow, name: string): unknown {
  if (name in row) return row[name];
  const wanted = name.toLowerCase();
  const key = Object.keys(row).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : row[key];
}

/** SHOW STATUS / SHOW VARIABLES rows (`Variable_name`, `Value`) as a name -> text map. */
export function variableMap(rows: readonly SqlRow[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const row of rows) {
    const name = column(row, 'Variable_name');
    if (typeof name === 'string') map.set(name, textValue(column(row, 'Value')));
  }
  return map;
}
