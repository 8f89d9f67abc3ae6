import type { InputIssue } from '../core/errors.js';
import type { KeyPath } from '../core/source-locator.js';
import type { YamlSource } from '../inventory/yaml-source.js';
import { type AnsibleInventory, AnsibleInventoryBuilder } from './ansible-inventory.js';
import { ansibleValue, isMapping } from './ansible-yaml.js';
import { expandHostPattern } from './host-pattern.js';
import { issueAt, type SourceOrigin } from './imported-server.js';

/**
 * Reads a YAML inventory as Ansible's `yaml` plugin does: top-level keys are groups, each a
 * mapping (or nothing) of `vars`, `children` (groups, recursively) and `hosts` (patterns, each
 * with its variables); a section written as a single string names one entry; a group that is not
 * a mapping is skipped, as Ansible skips it.
 */
export function parseAnsibleYaml(source: YamlSource): AnsibleInventory | { issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const at = (key: KeyPath): SourceOrigin => {
    const line = source.lineOf(key);
    return line === undefined ? { file: source.file } : { file: source.file, line };
  };
  if (!isMapping(source.value)) {
    return {
      issues: [issueAt(at([]), '', 'a YAML inventory is a mapping of groups (all:, or group names)')],
    };
  }
  if ('plugin' in source.value) {
    return {
      issues: [
        issueAt(
          at(['plugin']),
          'plugin',
          'an inventory plugin configuration, not an inventory: run ansible-inventory -i FILE --list and import its output with -',
        ),
      ],
    };
  }
  const inventory = new AnsibleInventoryBuilder(issues);

  const group = (name: string, data: unknown, path: KeyPath): void => {
    if (data !== null && data !== undefined && !isMapping(data)) return;
    inventory.group(name);
    if (data === null || data === undefined) return;
    for (const section of ['vars', 'children', 'hosts'] as const) {
      let entries = data[section];
      if (typeof entries === 'string') entries = { [entries]: null };
      if (entries === null || entries === undefined) continue;
      if (!isMapping(entries)) {
        issues.push(
          issueAt(
            at([...path, section]),
            [...path, section].join('.'),
            `must be a mapping, not ${typeof entries}`,
          ),
        );
        continue;
      }
      for (const [key, value] of Object.entries(entries)) {
        const keyPath = [...path, section, key];
        if (section === 'vars') {
          inventory.group(name).vars.set(key, { value: ansibleValue(value), key, origin: at(keyPath) });
        } else if (section === 'children') {
          group(key, value, keyPath);
          inventory.child(name, key, at(keyPath));
        } else hosts(name, key, value, keyPath);
      }
    }
  };

  const hosts = (groupName: string, pattern: string, vars: unknown, path: KeyPath): void => {
    const origin = at(path);
    const expanded = expandHostPattern(pattern, inventory.hostsLeft() + 1);
    if ('problem' in expanded) {
      issues.push(issueAt(origin, path.join('.'), expanded.problem));
      return;
    }
    if (vars !== null && vars !== undefined && !isMapping(vars)) {
      issues.push(issueAt(origin, path.join('.'), "a host's variables must be a mapping"));
      return;
    }
    for (const name of expanded.hosts) {
      const host = inventory.host(name, groupName, origin);
      if (host === undefined) return;
      if (expanded.port !== undefined)
        host.vars.set('ansible_port', { value: expanded.port, key: 'ansible_port', origin });
      for (const [key, value] of Object.entries(vars ?? {}))
        host.vars.set(key, { value: ansibleValue(value), key, origin: at([...path, key]) });
    }
  };

  for (const [name, data] of Object.entries(source.value)) group(name, data, [name]);
  const built = inventory.build();
  return issues.length > 0 ? { issues } : built;
}
