import type { InputIssue } from './errors.js';

/** A key path inside a YAML file: map keys and sequence indexes, as zod reports them. */
export type KeyPath = readonly (string | number)[];

/** Where a key was written: the file as the user should read it, and its line when known. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
}

/**
 * Tells the pure planner where the values it judges were written, so that its errors can name
 * the file and the line without the planner reading any file. The inventory loader implements it
 * from the YAML source maps; tests use {@link unlocatedSources}.
 */
export interface SourceLocator {
  campaign(key: KeyPath): SourceLocation;
  hardwareClass(classId: string, key: KeyPath): SourceLocation;
}

/** A locator for values that came from no file (tests, benches): names files by convention. */
export const unlocatedSources: SourceLocator = {
  campaign: () => ({ file: 'campaign' }),
  hardwareClass: (classId) => ({ file: `${classId}.yaml` }),
};

/** `['waves', 2, 'size']` -> `waves.2.size`. */
export function formatKeyPath(key: KeyPath): string {
  return key.join('.');
}

export function issueAt(location: SourceLocation, key: KeyPath, message: string): InputIssue {
  const base = { file: location.file, key: formatKeyPath(key), message };
  return location.line === undefined ? base : { ...base, line: location.line };
}
