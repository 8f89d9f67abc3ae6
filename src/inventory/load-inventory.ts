import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError, type InputIssue } from '../core/errors.js';
import { timePhase } from '../core/phase-timing.js';
import type { KeyPath, SourceLocator } from '../core/source-locator.js';
import { type Campaign, campaignSchema } from '../model/campaign-schema.js';
import { safeParseHardwareClass } from '../model/fleet-file-safe-parse.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import { ownerIssues } from '../planner/day-owners.js';
import { type FleetView, fleetView } from '../planner/fleet-view.js';
import { topologyIssues } from '../planner/topology.js';
import { displayPath } from './display-path.js';
import { FleetUniqueness } from './fleet-uniqueness.js';
import { readYamlFile } from './read-yaml-file.js';
import { templateIssues } from './template-issues.js';
import { linesOf, type YamlLines } from './yaml-source.js';
import { zodInputIssues } from './zod-input-issues.js';

/** A campaign and its fleet, validated, with the means to point at any key they hold. */
export interface Inventory {
  readonly campaign: Campaign;
  /** Sorted by id. */
  readonly classes: readonly HardwareClass[];
  /**
   * The fleet flattened once (the same classes, sorted by id, and their servers): built for the
   * topology checks and handed to the planner and `check`, which would otherwise build it again.
   */
  readonly fleet: FleetView;
  /** Absolute path of the campaign file. */
  readonly campaignFile: string;
  /** Absolute path of the folder of hardware-class files (`fleet:`, relative to the campaign). */
  readonly fleetDir: string;
  /** Absolute path of each class's file, by class id. */
  readonly classFiles: ReadonlyMap<string, string>;
  /** File and line of any key of the campaign or a class: for the planner's messages. */
  readonly sources: SourceLocator;
}

export interface LoadOptions {
  /** Paths in messages are shown relative to this folder (default: the working directory). */
  readonly cwd?: string;
}

const CLASS_FILE_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * Loads a campaign file and the hardware classes of its `fleet:` folder, and validates them all:
 * every file's schema, class ids matching their file names, server names unique across the fleet,
 * no two servers on one host and port, replication roles. Reads only; writes nothing.
 *
 * @throws InputError with EVERY issue of every file, each naming its file, key and line.
 */
export async function loadInventory(campaignPath: string, options: LoadOptions = {}): Promise<Inventory> {
  const cwd = options.cwd ?? process.cwd();
  const campaignFile = resolve(cwd, campaignPath);
  const campaignSource = await readYamlFile(campaignFile, displayPath(campaignFile, cwd));
  const issues: InputIssue[] = [...campaignSource.issues];

  let campaign: Campaign | undefined;
  if (campaignSource.issues.length === 0) {
    const parsed = timePhase('validate', () => campaignSchema.safeParse(campaignSource.value ?? {}));
    if (parsed.success) campaign = parsed.data;
    else issues.push(...zodInputIssues(parsed.error, campaignSource));
    if (campaign?.state !== undefined && campaign.stateDir !== undefined) {
      issues.push(
        locatedIssue(
          campaignSource,
          ['state'],
          'give state or stateDir, not both (stateDir is state: { store: file, dir })',
        ),
      );
    }
  }

  // The fleet is read even when the campaign has other problems, so that one run lists them all.
  const fleetKey = fleetFolderOf(campaignSource.value);
  const fleetDir = resolve(dirname(campaignFile), fleetKey ?? '.');
  const sourcesByClass = new Map<string, YamlLines>();
  const uniqueness = new FleetUniqueness(campaign?.mysql?.port ?? 3306);
  const classFiles = new Map<string, string>();
  const classes: HardwareClass[] = [];
  if (fleetKey !== undefined) {
    const folder = await classFilesIn(fleetDir);
    if (folder === undefined || (folder.files.length === 0 && folder.problems.length === 0)) {
      issues.push(
        locatedIssue(
          campaignSource,
          ['fleet'],
          folder === undefined
            ? `${displayPath(fleetDir, cwd)} is not a folder`
            : `${displayPath(fleetDir, cwd)} holds no hardware-class files (*.yaml)`,
        ),
      );
    }
    for (const problem of folder?.problems ?? []) {
      issues.push(locatedIssue(campaignSource, ['fleet'], `${displayPath(fleetDir, cwd)}: ${problem}`));
    }
    for (const file of folder?.files ?? []) {
      const source = await readYamlFile(file, displayPath(file, cwd));
      issues.push(...source.issues);
      if (source.issues.length > 0) continue;
      // Only the lines are kept past this point: the raw value becomes garbage once validated.
      const lines = linesOf(source);
      timePhase('validate', () => uniqueness.add(lines, source.value));
      const parsed = timePhase('validate', () => safeParseHardwareClass(source.value ?? {}));
      if (!parsed.success) {
        issues.push(...zodInputIssues(parsed.error, source));
        continue;
      }
      const expectedId = basename(file, extname(file));
      if (parsed.data.id !== expectedId) {
        issues.push(
          locatedIssue(
            source,
            ['id'],
            `is ${parsed.data.id}, but the file is named ${basename(file)}: the id must be ${expectedId}`,
          ),
        );
        continue;
      }
      classes.push(parsed.data);
      sourcesByClass.set(parsed.data.id, lines);
      classFiles.set(parsed.data.id, file);
    }
  }

  const sources: SourceLocator = {
    campaign: (key) => located(campaignSource, key),
    hardwareClass: (classId, key) => {
      const source = sourcesByClass.get(classId);
      return source === undefined ? { file: `${classId}.yaml` } : located(source, key);
    },
  };
  const fleet = timePhase('validate', () => {
    issues.push(...uniqueness.issues);
    const view = fleetView(classes);
    issues.push(...topologyIssues(view.servers, sources));
    if (campaign !== undefined && issues.length === 0) {
      issues.push(...templateIssues(campaign, view.classes, sources));
      issues.push(...ownerIssues(campaign, sources));
    }
    return view;
  });

  if (issues.length > 0 || campaign === undefined) throw new InputError(issues);
  return {
    campaign,
    classes: fleet.classes,
    fleet,
    campaignFile,
    fleetDir,
    classFiles,
    sources,
  };
}

function fleetFolderOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || !('fleet' in value)) return undefined;
  const fleet = (value as { fleet: unknown }).fleet;
  return typeof fleet === 'string' && fleet !== '' ? fleet : undefined;
}

interface FleetFolder {
  /** The class files, sorted; a symbolic link to a regular file counts as one (it is followed). */
  readonly files: readonly string[];
  /** Entries that look like class files but cannot be read as one: never dropped in silence. */
  readonly problems: readonly string[];
}

async function classFilesIn(folder: string): Promise<FleetFolder | undefined> {
  let entries: Dirent[];
  try {
    if (!(await stat(folder)).isDirectory()) return undefined;
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const files: string[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const isClassFile = CLASS_FILE_EXTENSIONS.has(extname(entry.name));
    if (entry.isFile()) {
      if (isClassFile) files.push(path);
      continue;
    }
    if (!entry.isSymbolicLink()) continue;
    const target = await stat(path).catch((error: NodeJS.ErrnoException) => error.code ?? 'unreadable');
    if (target === 'ELOOP') problems.push(`${entry.name} is a symbolic link loop`);
    else if (!isClassFile) continue;
    else if (typeof target === 'string')
      problems.push(`${entry.name} is a symbolic link to nothing (${target})`);
    else if (target.isFile()) files.push(path);
    else problems.push(`${entry.name} is a symbolic link to something that is not a regular file`);
  }
  return { files: files.sort(), problems: problems.sort() };
}

function located(source: YamlLines, key: KeyPath): { file: string; line?: number } {
  const line = source.lineOf(key);
  return line === undefined ? { file: source.file } : { file: source.file, line };
}

function locatedIssue(source: YamlLines, key: KeyPath, message: string): InputIssue {
  return { ...located(source, key), key: key.join('.'), message };
}
