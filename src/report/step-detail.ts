import type { StepRecord } from '../engine/journal/journal-record.js';

/**
 * Reading the free-form `detail` of step records. The engine names its facts; the report reads
 * the first of a few accepted names so that an added synonym never breaks an old journal.
 */

export function detailNumber(record: StepRecord | undefined, ...keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = record?.detail?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

export function detailString(record: StepRecord | undefined, ...keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record?.detail?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
