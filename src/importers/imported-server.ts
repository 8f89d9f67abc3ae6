import type { InputIssue } from '../core/errors.js';

/** Where a value was written: the file and line an error about it names. */
export interface SourceOrigin {
  readonly file: string;
  /** 1-based, when known. */
  readonly line?: number;
}

/** A value a template variable can hold (`vars` in a class file). */
export type VarValue = string | number | boolean;

/**
 * The server keys an import sets, in the order a class file lists them. Everything else a class
 * file's server holds (tags, a hand-set key) is the person's.
 */
export const IMPORTED_SERVER_KEYS = [
  'host',
  'port',
  'sshPort',
  'sshUser',
  'datacenter',
  'cluster',
  'role',
  'shard',
  'mdLayout',
  'dataDir',
  'errorLog',
] as const;
export type ImportedServerKey = (typeof IMPORTED_SERVER_KEYS)[number];

/** A server's keys as an import found them, each checked against the class schema. */
export type ImportedServerFields = { readonly host: string } & {
  readonly [key in Exclude<ImportedServerKey, 'host'>]?: string | number;
};

/** One server as an inventory or a spreadsheet describes it, before it is placed in a class. */
export interface ImportedServer {
  readonly name: string;
  readonly fields: ImportedServerFields;
  /** Its template variables (`vars`), sorted by name. */
  readonly vars: Readonly<Record<string, VarValue>>;
  /** The classes the source puts it in: exactly one to be imported. */
  readonly classes: readonly string[];
  /** Why it is in no class, in the source's words (shown when `classes` is empty). */
  readonly noClassReason: string;
  /** Where the server was first named. */
  readonly origin: SourceOrigin;
}

/** A variable that was not copied into `vars`, and why: reported once per name. */
export interface SkippedVariable {
  readonly name: string;
  readonly reason: string;
  /** The servers it was set on. */
  readonly servers: readonly string[];
}

/** What reading a source gives: its servers, or every problem with it. */
export interface ImportSource {
  /** The inventory or spreadsheet, as messages name it. */
  readonly shownAs: string;
  readonly servers: readonly ImportedServer[];
  readonly skipped: readonly SkippedVariable[];
}

/** A source that cannot be imported: every issue, each naming its file, line and key. */
export type ImportReading = ImportSource | { readonly issues: readonly InputIssue[] };

/** An issue at an origin, for a key. */
export function issueAt(origin: SourceOrigin, key: string, message: string): InputIssue {
  return origin.line === undefined
    ? { file: origin.file, key, message }
    : { file: origin.file, key, line: origin.line, message };
}
