import type { ScalarTag } from 'yaml';
import type { YamlSourceOptions } from '../inventory/yaml-source.js';
import { VAULTED } from './server-record.js';

const vaultTag: ScalarTag = { tag: '!vault', resolve: () => VAULTED };
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (text) => text };

/** How Ansible reads YAML (inventories, group_vars, host_vars): YAML 1.1, with `!vault` and `!unsafe`. */
export const ANSIBLE_YAML: YamlSourceOptions = { version: '1.1', customTags: [vaultTag, unsafeTag] };

/**
 * A variable's value as dbwave takes it: a YAML 1.1 timestamp as its ISO text, and the JSON
 * forms `ansible-inventory --list` prints for a vaulted (`__ansible_vault`) or unsafe value.
 */
export function ansibleValue(value: unknown): unknown {
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if ('__ansible_vault' in value) return VAULTED;
    if ('__ansible_unsafe' in value) return (value as { __ansible_unsafe: unknown }).__ansible_unsafe;
  }
  return value;
}

/** Whether a parsed YAML value is a mapping (what an inventory, a group and vars must be). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
