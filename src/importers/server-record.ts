import type { InputIssue } from '../core/errors.js';
import { serverSchema } from '../model/hardware-class-schema.js';
import { textLine } from '../model/schema-primitives.js';
import {
  type ImportedServer,
  type ImportedServerKey,
  issueAt,
  type SkippedVariable,
  type SourceOrigin,
  type VarValue,
} from './imported-server.js';

/** A value read from a source, with the key it was read under and where. */
export interface SourcedValue {
  readonly value: unknown;
  /** The variable or column it came from (`ansible_port`, `ssh_port`): what an error names. */
  readonly key: string;
  readonly origin: SourceOrigin;
}

/** What a source found for one server, before it is checked. */
export interface ServerRecordInput {
  readonly name: SourcedValue;
  readonly fields: Partial<Record<ImportedServerKey, SourcedValue>>;
  /** The other variables, by name. */
  readonly vars: ReadonlyMap<string, SourcedValue>;
  readonly classes: readonly string[];
  readonly noClassReason: string;
}

/**
 * Variables whose names say they hold a secret: never copied into a class file, since vars reach
 * command templates, checklists and reports. Their values are not read at all.
 */
const SECRET_NAME =
  /pass(word|wd|phrase)?\b|pass(word|wd|phrase)?_|secret|token|private_?key|api_?key|credential/i;

/** A value Ansible keeps encrypted (`!vault` in YAML, `__ansible_vault` in `--list` JSON). */
export const VAULTED = Symbol('vaulted');

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMERIC_KEYS = new Set<ImportedServerKey>(['port', 'sshPort']);

/** Collects the variables left out of `vars`, one entry per name and reason. */
export class SkippedVariables {
  readonly #byName = new Map<string, { reason: string; servers: string[] }>();

  add(name: string, reason: string, server: string): void {
    const key = `${name}\u0000${reason}`;
    const entry = this.#byName.get(key) ?? { reason, servers: [] };
    entry.servers.push(server);
    this.#byName.set(key, entry);
  }

  list(): SkippedVariable[] {
    return [...this.#byName.entries()]
      .map(([key, entry]) => ({ name: key.split('\u0000')[0] ?? key, ...entry }))
      .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  }
}

/**
 * Checks one server's values against the class schema and turns them into an imported server:
 * each bad value is an issue at its file and line; a variable that cannot be a template variable
 * (a list, a secret) is left out and reported, not an error.
 */
export function serverRecord(
  input: ServerRecordInput,
  issues: InputIssue[],
  skipped: SkippedVariables,
): ImportedServer | undefined {
  const before = issues.length;
  const name = checked('name', input.name.value, issues, input.name);
  if (typeof name !== 'string') return undefined;

  const fields: Record<string, string | number> = {};
  const hostValue = input.fields.host ?? input.name;
  for (const [key, sourced] of Object.entries(input.fields) as [ImportedServerKey, SourcedValue][]) {
    if (key === 'host') continue;
    const value = checked(key, normalised(key, sourced.value), issues, sourced, name);
    if (value !== undefined) fields[key] = value as string | number;
  }
  const host = checked('host', hostValue.value, issues, hostValue, name);

  const vars: Record<string, VarValue> = {};
  for (const [varName, sourced] of [...input.vars.entries()].sort(([left], [right]) =>
    left < right ? -1 : left > right ? 1 : 0,
  )) {
    const problem = varProblem(varName, sourced.value);
    if (problem === undefined) vars[varName] = sourced.value as VarValue;
    else skipped.add(varName, problem, name);
  }
  if (issues.length > before || typeof host !== 'string') return undefined;
  return {
    name,
    fields: { host, ...fields },
    vars,
    classes: input.classes,
    noClassReason: input.noClassReason,
    origin: input.name.origin,
  };
}

/** Spreadsheet and INI values are text: a port written "3306" is the number 3306. */
function normalised(key: ImportedServerKey, value: unknown): unknown {
  if (NUMERIC_KEYS.has(key) && typeof value === 'string' && /^\d+$/.test(value.trim()))
    return Number(value.trim());
  if (key === 'role' && typeof value === 'string') return ROLE_WORDS[value.trim().toLowerCase()] ?? value;
  return value;
}

/** The words inventories use for a replication role, in dbwave's two words. */
const ROLE_WORDS: Readonly<Record<string, 'primary' | 'replica'>> = {
  primary: 'primary',
  master: 'primary',
  source: 'primary',
  replica: 'replica',
  slave: 'replica',
};

function checked(
  key: 'name' | ImportedServerKey,
  value: unknown,
  issues: InputIssue[],
  sourced?: SourcedValue,
  server?: string,
): unknown {
  const parsed = serverSchema.shape[key].safeParse(value);
  if (parsed.success) return parsed.data;
  const at = sourced ?? { key: 'name', origin: { file: '' } };
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const message = parsed.error.issues[0]?.message ?? 'is not valid';
  const what =
    key === 'name'
      ? `${shown} cannot be a dbwave server name: ${message}`
      : `${shown}${server === undefined ? '' : ` (server ${server})`} is not a valid ${key}: ${message}`;
  issues.push(issueAt(at.origin, at.key, what));
  return undefined;
}

/** Why a variable is not copied into `vars`, or undefined when it is. */
function varProblem(name: string, value: unknown): string | undefined {
  if (value === VAULTED) return 'encrypted with Ansible Vault: dbwave never copies secrets';
  if (SECRET_NAME.test(name)) return 'its name says it holds a secret: dbwave never copies secrets';
  if (!VAR_NAME.test(name)) return 'not a template variable name (letters, digits and underscore)';
  if (value === null || value === undefined) return 'it has no value';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'not a finite number';
  if (typeof value === 'string' && !textLine.safeParse(value).success)
    return 'its value holds control characters (line breaks, tabs)';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return Array.isArray(value)
      ? 'a list: vars hold text, numbers and booleans'
      : 'a mapping: vars hold text, numbers and booleans';
  return undefined;
}
