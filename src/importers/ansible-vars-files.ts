import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { InputIssue } from '../core/errors.js';
import { displayPath } from '../inventory/display-path.js';
import { readBoundedText } from '../inventory/read-bounded-text.js';
import { parseYamlSource } from '../inventory/yaml-source.js';
import type { AnsibleInventory, SourcedVars } from './ansible-inventory.js';
import type { AnsibleVarsFiles } from './ansible-variable-precedence.js';
import { ANSIBLE_YAML, ansibleValue, isMapping } from './ansible-yaml.js';
import { issueAt } from './imported-server.js';

/** The extensions Ansible tries after the bare name, in its order (`YAML_FILENAME_EXTENSIONS`). */
const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/**
 * Reads `group_vars/` and `host_vars/` beside an inventory as Ansible's `host_group_vars` plugin
 * does: for a group or host NAME the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json` that
 * exists; a folder `NAME/` holds files read in name order (hidden files, `~` backups and other
 * extensions skipped), later files replacing earlier variables. Empty files count for nothing.
 */
export async function readAnsibleVarsFiles(
  folder: string,
  inventory: AnsibleInventory,
  cwd: string,
  issues: InputIssue[],
): Promise<AnsibleVarsFiles> {
  const read = async (subfolder: string, names: Iterable<string>): Promise<Map<string, SourcedVars>> => {
    const base = join(folder, subfolder);
    const entries = await entriesOf(base);
    const found = new Map<string, SourcedVars>();
    for (const name of names) {
      if (name.startsWith('/')) continue;
      const files = await filesFor(base, name, entries);
      const vars: SourcedVars = new Map();
      for (const file of files)
        for (const [key, value] of await varsFile(file, cwd, issues)) vars.set(key, value);
      if (vars.size > 0) found.set(name, vars);
    }
    return found;
  };
  return {
    groups: await read('group_vars', inventory.groups.keys()),
    hosts: await read('host_vars', inventory.hosts.keys()),
  };
}

async function entriesOf(folder: string): Promise<Map<string, Dirent>> {
  try {
    return new Map((await readdir(folder, { withFileTypes: true })).map((entry) => [entry.name, entry]));
  } catch {
    return new Map();
  }
}

async function filesFor(base: string, name: string, entries: Map<string, Dirent>): Promise<string[]> {
  for (const extension of EXTENSIONS) {
    const entry = entries.get(name + extension);
    if (entry === undefined) continue;
    const path = join(base, entry.name);
    return entry.isDirectory() ? filesBelow(path) : [path];
  }
  return [];
}

async function filesBelow(folder: string): Promise<string[]> {
  const entries = [...(await entriesOf(folder)).values()].sort((left, right) =>
    left.name < right.name ? -1 : left.name > right.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.endsWith('~')) continue;
    const extension = extname(entry.name);
    const path = join(folder, entry.name);
    if (entry.isDirectory() && extension === '') files.push(...(await filesBelow(path)));
    else if (entry.isFile() && EXTENSIONS.includes(extension)) files.push(path);
  }
  return files;
}

async function varsFile(path: string, cwd: string, issues: InputIssue[]): Promise<SourcedVars> {
  const shown = displayPath(path, cwd);
  const read = await readBoundedText(path, shown);
  if ('issue' in read) {
    issues.push(read.issue);
    return new Map();
  }
  const source = parseYamlSource(read.text, shown, ANSIBLE_YAML);
  issues.push(...source.issues);
  const vars: SourcedVars = new Map();
  if (source.issues.length > 0 || source.value === null || source.value === undefined) return vars;
  if (!isMapping(source.value)) {
    issues.push(
      issueAt({ file: shown, line: 1 }, '', 'a vars file must be a mapping of variable names to values'),
    );
    return vars;
  }
  for (const [key, value] of Object.entries(source.value)) {
    const line = source.lineOf([key]);
    vars.set(key, {
      value: ansibleValue(value),
      key,
      origin: line === undefined ? { file: shown } : { file: shown, line },
    });
  }
  return vars;
}
