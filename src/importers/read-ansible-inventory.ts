import { dirname, extname } from 'node:path';
import { InputError, type InputIssue } from '../core/errors.js';
import { parseYamlSource, type YamlSource } from '../inventory/yaml-source.js';
import type { AnsibleInventory } from './ansible-inventory.js';
import { ansibleServers, type ClassSource } from './ansible-servers.js';
import { type AnsibleVarsFiles, NO_VARS_FILES } from './ansible-variable-precedence.js';
import { readAnsibleVarsFiles } from './ansible-vars-files.js';
import { ANSIBLE_YAML, isMapping } from './ansible-yaml.js';
import type { ImportSource } from './imported-server.js';
import { parseAnsibleIni } from './parse-ansible-ini.js';
import { parseAnsibleListJson } from './parse-ansible-list-json.js';
import { parseAnsibleYaml } from './parse-ansible-yaml.js';
import { readImportText } from './read-import-text.js';

/** Where an inventory is read from. */
export interface AnsibleInventoryInput {
  /** The inventory file, or `-` for the JSON of `ansible-inventory --list` on `stdin`. */
  readonly path: string;
  readonly cwd: string;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly classSource: ClassSource;
}

const YAML_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);

/**
 * Reads an Ansible inventory into servers: an INI or YAML file (YAML when its extension says so
 * or when it reads as a YAML mapping, INI otherwise, as Ansible tries its plugins) with the
 * `group_vars/` and `host_vars/` folders beside it, or the JSON of `ansible-inventory --list`.
 *
 * @throws InputError with every problem, each naming its file, line and key.
 */
export async function readAnsibleInventory(input: AnsibleInventoryInput): Promise<ImportSource> {
  const { text, shownAs, file } = await readImportText(input.path, input.cwd, input.stdin);
  const format =
    file === undefined ? 'list-json' : YAML_EXTENSIONS.has(extname(file)) ? 'yaml' : 'ini-or-yaml';
  const parsed = parse(text, shownAs, format);
  if ('issues' in parsed) throw new InputError(parsed.issues);
  const issues: InputIssue[] = [];
  const files: AnsibleVarsFiles =
    file === undefined ? NO_VARS_FILES : await readAnsibleVarsFiles(dirname(file), parsed, input.cwd, issues);
  if (issues.length > 0) throw new InputError(issues);
  const servers = ansibleServers(parsed, files, input.classSource, shownAs);
  if ('issues' in servers) throw new InputError(servers.issues);
  return servers;
}

function parse(
  text: string,
  shownAs: string,
  format: 'list-json' | 'yaml' | 'ini-or-yaml',
): AnsibleInventory | { issues: InputIssue[] } {
  const source: YamlSource = parseYamlSource(text, shownAs, ANSIBLE_YAML);
  if (format === 'ini-or-yaml' && (source.issues.length > 0 || !isMapping(source.value)))
    return parseAnsibleIni(text, shownAs);
  if (source.issues.length > 0) return { issues: [...source.issues] };
  if (source.value === null || source.value === undefined)
    return { issues: [{ file: shownAs, key: '', message: 'the inventory is empty' }] };
  const listJson = format === 'list-json' || (isMapping(source.value) && '_meta' in source.value);
  return listJson ? parseAnsibleListJson(source) : parseAnsibleYaml(source);
}
