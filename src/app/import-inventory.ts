import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { ExitStatus, InputError, type InputIssue, UsageError } from '../core/errors.js';
import { writeFileAtomically } from '../core/write-file-atomically.js';
import {
  type ClassFileDiff,
  IMPORT_MARKER,
  mergeClassDocument,
  newClassDocument,
} from '../importers/class-file-document.js';
import type { ImportSource } from '../importers/imported-server.js';
import { type HandWrittenClasses, type LeftOutServer, placeServers } from '../importers/place-servers.js';
import { readAnsibleInventory } from '../importers/read-ansible-inventory.js';
import { readCsvSpreadsheet } from '../importers/read-csv-spreadsheet.js';
import { displayPath } from '../inventory/display-path.js';
import { readBoundedText } from '../inventory/read-bounded-text.js';
import { parseYamlSource } from '../inventory/yaml-source.js';
import { zodInputIssues } from '../inventory/zod-input-issues.js';
import { hardwareClassSchema } from '../model/hardware-class-schema.js';
import type { CommandStreams } from './command-services.js';

/** What `dbwave import ansible|csv` shares. */
export interface ImportOptions {
  /** Folder of the class files (default `hardware-classes`). */
  readonly out?: string | undefined;
  /** Show what would change; write nothing. */
  readonly dryRun?: boolean | undefined;
}

/** A class file in the output folder, as read before the import changes it. */
interface ExistingClassFile {
  readonly path: string;
  readonly shown: string;
  readonly id: string;
  readonly document: Document;
  readonly managed: boolean;
}

/** One class file the import writes (or removes), and what changed in it. */
interface ClassFileOutcome {
  readonly id: string;
  readonly path: string;
  readonly shown: string;
  readonly text: string | undefined;
  readonly before: string | undefined;
  readonly servers: number;
  readonly diff: ClassFileDiff | undefined;
}

/**
 * Writes the servers of an inventory or spreadsheet as hardware-class files in `--out`: a class
 * file the import wrote before is edited in place (comments and hand-set keys kept, servers
 * added, removed and updated), a new class gets a new file with placeholders to fill, a file a
 * person wrote is never touched. Prints per class what was added, removed and changed, and every
 * server left out with why. Exit 0 when every server is in a class, 1 when some are left out
 * (the files are still written), 2 on bad input (nothing written).
 */
export async function importServers(
  source: ImportSource,
  options: ImportOptions,
  streams: CommandStreams,
  cwd: string,
): Promise<ExitStatus> {
  const folder = resolve(cwd, options.out ?? 'hardware-classes');
  const existing = await classFilesIn(folder, cwd);
  const handWritten = handWrittenClasses(existing);
  const { classes, leftOut } = placeServers(source.servers, handWritten);

  const managed = existing.filter((file) => file.managed);
  const carried = new Map<string, { node: YAMLMap; file: string }>();
  for (const file of managed) {
    const servers = file.document.get('servers', true);
    if (!isSeq(servers)) continue;
    for (const item of servers.items)
      if (isMap(item) && typeof item.get('name') === 'string')
        carried.set(item.get('name') as string, { node: item as YAMLMap, file: file.shown });
  }

  const outcomes: ClassFileOutcome[] = [];
  for (const imported of classes) {
    const file = managed.find((candidate) => candidate.id === imported.id);
    const path = file?.path ?? join(folder, `${imported.id}.yaml`);
    const before = file?.document.toString();
    const document = file?.document ?? newClassDocument(imported, `from ${source.shownAs}.`);
    const diff = file === undefined ? undefined : mergeClassDocument(document, imported, carried);
    outcomes.push({
      id: imported.id,
      path,
      shown: displayPath(path, cwd),
      text: document.toString(),
      before,
      servers: imported.servers.length,
      diff,
    });
  }
  for (const file of managed) {
    if (classes.some((imported) => imported.id === file.id)) continue;
    outcomes.push({
      id: file.id,
      path: file.path,
      shown: file.shown,
      text: undefined,
      before: '',
      servers: 0,
      diff: undefined,
    });
  }

  const issues = outcomes.flatMap((outcome) => classFileIssues(outcome));
  if (issues.length > 0) throw new InputError(issues);
  if (options.dryRun !== true) await writeOutcomes(folder, outcomes);
  streams.stdout.write(report(source, outcomes, leftOut, options.dryRun === true));
  return leftOut.length > 0 ? ExitStatus.Unhealthy : ExitStatus.Ok;
}

async function classFilesIn(folder: string, cwd: string): Promise<ExistingClassFile[]> {
  let names: string[];
  try {
    if (!(await stat(folder)).isDirectory())
      throw new UsageError(`--out ${displayPath(folder, cwd)} is not a folder`);
    names = (await readdir(folder)).filter((name) => ['.yaml', '.yml'].includes(extname(name))).sort();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return [];
  }
  const files: ExistingClassFile[] = [];
  const issues: InputIssue[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const shown = displayPath(path, cwd);
    const read = await readBoundedText(path, shown);
    if ('issue' in read) {
      issues.push(read.issue);
      continue;
    }
    const checked = parseYamlSource(read.text, shown);
    if (checked.issues.length > 0) {
      issues.push(...checked.issues);
      continue;
    }
    const document = parseDocument(read.text, { uniqueKeys: true });
    const managed = (document.commentBefore ?? '').trimStart().startsWith(IMPORT_MARKER);
    files.push({ path, shown, id: basename(name, extname(name)), document, managed });
  }
  if (issues.length > 0) throw new InputError(issues);
  return files;
}

function handWrittenClasses(files: readonly ExistingClassFile[]): HandWrittenClasses {
  const classes = new Map<string, string>();
  const servers = new Map<string, string>();
  for (const file of files) {
    if (file.managed) continue;
    classes.set(file.id, file.shown);
    const list = file.document.get('servers', true);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const name = isMap(item) ? item.get('name') : undefined;
      if (typeof name === 'string') servers.set(name, file.shown);
    }
  }
  return { classes, servers };
}

/** The schema's verdict on a file the import would write: a hand edit may have broken it. */
function classFileIssues(outcome: ClassFileOutcome): InputIssue[] {
  if (outcome.text === undefined) return [];
  const source = parseYamlSource(outcome.text, outcome.shown);
  const parsed = hardwareClassSchema.safeParse(source.value);
  return parsed.success ? [] : zodInputIssues(parsed.error, source);
}

async function writeOutcomes(folder: string, outcomes: readonly ClassFileOutcome[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const outcome of outcomes) {
    if (outcome.text === undefined) await unlink(outcome.path);
    else if (outcome.text !== outcome.before)
      await writeFileAtomically(outcome.path, outcome.text, { mode: 0o644 });
  }
}

function report(
  source: ImportSource,
  outcomes: readonly ClassFileOutcome[],
  leftOut: readonly LeftOutServer[],
  dryRun: boolean,
): string {
  const lines: string[] = [];
  const verb = dryRun ? 'would write' : 'wrote';
  for (const outcome of outcomes) {
    if (outcome.text === undefined) {
      lines.push(
        `${outcome.shown}: ${dryRun ? 'would remove' : 'removed'}: no server of ${source.shownAs} is in class ${outcome.id} any more`,
      );
      continue;
    }
    const count = `${outcome.servers} server${outcome.servers === 1 ? '' : 's'}`;
    if (outcome.diff === undefined) {
      lines.push(
        `${outcome.shown}: ${verb}: new class ${outcome.id}, ${count} (set its description, drives and expected timings)`,
      );
      continue;
    }
    const { added, removed, moved, changed, notInInventory } = outcome.diff;
    const unchanged = outcome.text === outcome.before;
    lines.push(`${outcome.shown}: ${unchanged ? 'unchanged' : verb}: class ${outcome.id}, ${count}`);
    if (added.length > 0) lines.push(`  added (${added.length}): ${added.join(', ')}`);
    for (const entry of moved) lines.push(`  moved here from ${entry.from}: ${entry.server}`);
    if (removed.length > 0) lines.push(`  removed (${removed.length}): ${removed.join(', ')}`);
    for (const change of changed)
      lines.push(`  changed: ${change.server}: ${change.key}: ${shown(change.from)} -> ${shown(change.to)}`);
    for (const kept of notInInventory)
      lines.push(
        `  kept: ${kept.server}: ${kept.key} is no longer in ${source.shownAs} (delete it if it should go)`,
      );
  }
  if (leftOut.length > 0) {
    lines.push(`left out (${leftOut.length}): in no class file`);
    for (const server of leftOut) {
      const where =
        server.origin.line === undefined ? server.origin.file : `${server.origin.file}:${server.origin.line}`;
      lines.push(`  ${server.name} (${where}): ${server.why}`);
    }
  }
  for (const variable of source.skipped) {
    const servers = variable.servers.length;
    lines.push(
      `not imported: variable ${variable.name} (${servers} server${servers === 1 ? '' : 's'}): ${variable.reason}`,
    );
  }
  const placed = outcomes.reduce((total, outcome) => total + outcome.servers, 0);
  lines.push(
    `${source.shownAs}: ${placed} of ${placed + leftOut.length} servers in ${outcomes.filter((o) => o.text !== undefined).length} classes`,
  );
  return `${lines.join('\n')}\n`;
}

function shown(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}

/** The arguments of `dbwave import ansible`. */
export interface ImportAnsibleArguments extends ImportOptions {
  /** The inventory file, or `-` for the JSON of `ansible-inventory --list` on stdin. */
  readonly inventory: string;
  /** A host variable whose value is the class, instead of the groups. */
  readonly groupBy?: string | undefined;
}

/** `dbwave import ansible INVENTORY [--group-by VAR] [--out DIR]`: see {@link importServers}. */
export async function importAnsibleInventory(
  args: ImportAnsibleArguments,
  streams: CommandStreams,
  cwd: string,
  stdin: AsyncIterable<Buffer | string>,
): Promise<ExitStatus> {
  const source = await readAnsibleInventory({
    path: args.inventory,
    cwd,
    stdin,
    classSource: args.groupBy === undefined ? { kind: 'groups' } : { kind: 'variable', name: args.groupBy },
  });
  return importServers(source, args, streams, cwd);
}

/** The arguments of `dbwave import csv`. */
export interface ImportCsvArguments extends ImportOptions {
  /** The CSV file, or `-` for stdin. */
  readonly file: string;
  /** The column whose value is the class, instead of `class`. */
  readonly groupBy?: string | undefined;
}

/** `dbwave import csv FILE [--group-by COLUMN] [--out DIR]`: see {@link importServers}. */
export async function importCsvSpreadsheet(
  args: ImportCsvArguments,
  streams: CommandStreams,
  cwd: string,
  stdin: AsyncIterable<Buffer | string>,
): Promise<ExitStatus> {
  const source = await readCsvSpreadsheet({ path: args.file, cwd, stdin, groupBy: args.groupBy });
  return importServers(source, args, streams, cwd);
}
