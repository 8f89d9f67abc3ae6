import type { InputIssue } from '../core/errors.js';
import type { KeyPath } from '../core/source-locator.js';
import type { YamlSource } from '../inventory/yaml-source.js';
import { type AnsibleInventory, AnsibleInventoryBuilder } from './ansible-inventory.js';
import { ansibleValue, isMapping } from './ansible-yaml.js';
import { issueAt, type SourceOrigin } from './imported-server.js';

/**
 * Reads the JSON of `ansible-inventory --list` (with or without `--export`): every key but
 * `_meta` is a group with `hosts`, `children` and perhaps `vars`; `_meta.hostvars` holds each
 * host's variables (all of them without `--export`, its own with it). Any inventory Ansible can
 * read (a dynamic one, a plugin's) comes in this way.
 */
export function parseAnsibleListJson(source: YamlSource): AnsibleInventory | { issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const at = (key: KeyPath): SourceOrigin => {
    const line = source.lineOf(key);
    return line === undefined ? { file: source.file } : { file: source.file, line };
  };
  const value = source.value;
  if (!isMapping(value) || !isMapping(value._meta) || !isMapping(value._meta.hostvars)) {
    return {
      issues: [
        issueAt(at([]), '_meta.hostvars', 'is missing: this is not the JSON of ansible-inventory --list'),
      ],
    };
  }
  const inventory = new AnsibleInventoryBuilder(issues);
  const list = (data: Record<string, unknown>, key: string, path: KeyPath): string[] => {
    const entries = data[key];
    if (entries === undefined) return [];
    if (Array.isArray(entries) && entries.every((entry) => typeof entry === 'string')) return entries;
    issues.push(issueAt(at([...path, key]), [...path, key].join('.'), 'must be a list of names'));
    return [];
  };
  for (const [name, data] of Object.entries(value)) {
    if (name === '_meta') continue;
    if (!isMapping(data)) {
      issues.push(issueAt(at([name]), name, 'a group must be a mapping of hosts, children and vars'));
      continue;
    }
    const group = inventory.group(name);
    for (const host of list(data, 'hosts', [name])) inventory.host(host, name, at([name, 'hosts']));
    for (const child of list(data, 'children', [name])) inventory.child(name, child, at([name, 'children']));
    if (isMapping(data.vars)) {
      for (const [key, varValue] of Object.entries(data.vars))
        group.vars.set(key, { value: ansibleValue(varValue), key, origin: at([name, 'vars', key]) });
    }
  }
  for (const [name, vars] of Object.entries(value._meta.hostvars)) {
    const path = ['_meta', 'hostvars', name];
    if (!isMapping(vars)) {
      issues.push(issueAt(at(path), path.join('.'), "a host's variables must be a mapping"));
      continue;
    }
    const host = inventory.host(name, 'ungrouped', at(path));
    if (host === undefined) break;
    for (const [key, varValue] of Object.entries(vars))
      host.vars.set(key, { value: ansibleValue(varValue), key, origin: at([...path, key]) });
  }
  const built = inventory.build();
  return issues.length > 0 ? { issues } : built;
}
