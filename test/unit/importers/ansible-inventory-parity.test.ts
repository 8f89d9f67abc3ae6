import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AnsibleInventory } from '../../../src/importers/ansible-inventory.js';
import { type AnsibleVarsFiles, hostVariables } from '../../../src/importers/ansible-variable-precedence.js';
import { readAnsibleVarsFiles } from '../../../src/importers/ansible-vars-files.js';
import { ANSIBLE_YAML } from '../../../src/importers/ansible-yaml.js';
import { parseAnsibleIni } from '../../../src/importers/parse-ansible-ini.js';
import { parseAnsibleListJson } from '../../../src/importers/parse-ansible-list-json.js';
import { parseAnsibleYaml } from '../../../src/importers/parse-ansible-yaml.js';
import { readAnsibleInventory } from '../../../src/importers/read-ansible-inventory.js';
import { parseYamlSource } from '../../../src/inventory/yaml-source.js';

/**
 * dbwave's reading of an inventory against Ansible's own: the real `ansible-inventory` (Debian's
 * ansible-core, which scripts/test.sh installs) on fixtures with groups of groups, numeric and
 * alphabetic ranges, ports in patterns, group_vars (a file, a file without extension, a folder)
 * and host_vars.
 */
const FIXTURE = fileURLToPath(new URL('./fixtures/ansible/', import.meta.url));

interface AnsibleList {
  readonly _meta: { readonly hostvars: Record<string, Record<string, unknown>> };
  readonly [group: string]: { hosts?: string[]; children?: string[] } | AnsibleList['_meta'];
}

function ansibleInventoryList(file: string): { text: string; list: AnsibleList } {
  const result = spawnSync('ansible-inventory', ['-i', file, '--list'], {
    cwd: FIXTURE,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true', ANSIBLE_NOCOLOR: '1' },
  });
  if (result.error !== undefined)
    throw new Error(`ansible-inventory did not run (apt-get install ansible-core): ${result.error.message}`);
  expect(result.status, result.stderr).toBe(0);
  return { text: result.stdout, list: JSON.parse(result.stdout) as AnsibleList };
}

function plainVariables(inventory: AnsibleInventory, host: string, files?: AnsibleVarsFiles) {
  return Object.fromEntries(
    [...hostVariables(inventory, host, files)].map(([name, { value }]) => [name, value]),
  );
}

async function expectSameAsAnsible(inventory: AnsibleInventory, list: AnsibleList, files?: AnsibleVarsFiles) {
  const hostvars = list._meta.hostvars;
  const ansibleHosts = new Set<string>();
  for (const [name, group] of Object.entries(list)) {
    if (name === '_meta') continue;
    for (const host of (group as { hosts?: string[] }).hosts ?? []) ansibleHosts.add(host);
  }
  expect([...inventory.hosts.keys()].sort()).toEqual([...ansibleHosts].sort());
  for (const host of inventory.hosts.keys())
    expect(plainVariables(inventory, host, files)).toEqual(hostvars[host] ?? {});
  for (const group of inventory.groups.values()) {
    if (group.name === 'all') continue;
    const theirs = (list[group.name] ?? {}) as { hosts?: string[]; children?: string[] };
    expect([...group.hosts].sort(), group.name).toEqual([...(theirs.hosts ?? [])].sort());
    expect([...group.children].sort(), group.name).toEqual([...(theirs.children ?? [])].sort());
  }
}

describe('reading an Ansible inventory as ansible-inventory --list does', { timeout: 60_000 }, () => {
  it('reads the INI inventory to the same hosts, groups and variables', async () => {
    const parsed = parseAnsibleIni(await readFile(`${FIXTURE}inventory.ini`, 'utf8'), 'inventory.ini');
    if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues));
    const files = await readAnsibleVarsFiles(FIXTURE, parsed, FIXTURE, []);
    await expectSameAsAnsible(parsed, ansibleInventoryList('inventory.ini').list, files);
    expect(parsed.hosts.size).toBe(14);
  });

  it('reads the YAML inventory to the same hosts, groups and variables', async () => {
    const source = parseYamlSource(
      await readFile(`${FIXTURE}inventory.yaml`, 'utf8'),
      'inventory.yaml',
      ANSIBLE_YAML,
    );
    const parsed = parseAnsibleYaml(source);
    if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues));
    const files = await readAnsibleVarsFiles(FIXTURE, parsed, FIXTURE, []);
    await expectSameAsAnsible(parsed, ansibleInventoryList('inventory.yaml').list, files);
  });

  it('reads the JSON that ansible-inventory --list prints to the same variables', async () => {
    const { text, list } = ansibleInventoryList('inventory.ini');
    const parsed = parseAnsibleListJson(parseYamlSource(text, 'stdin', ANSIBLE_YAML));
    if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues));
    await expectSameAsAnsible(parsed, list);
  });

  it('imports the same servers from the INI file as from its ansible-inventory JSON on stdin', async () => {
    const { text } = ansibleInventoryList('inventory.ini');
    const fromFile = await readAnsibleInventory({
      path: 'inventory.ini',
      cwd: FIXTURE,
      stdin: Readable.from([]),
      classSource: { kind: 'groups' },
    });
    const fromStdin = await readAnsibleInventory({
      path: '-',
      cwd: FIXTURE,
      stdin: Readable.from([Buffer.from(text)]),
      classSource: { kind: 'groups' },
    });
    const comparable = (servers: typeof fromFile.servers) =>
      servers
        .map(({ name, fields, vars, classes }) => ({ name, fields, vars, classes }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(comparable(fromStdin.servers)).toEqual(comparable(fromFile.servers));
    expect(fromFile.servers.find((server) => server.name === 'users-dbd.phx2')).toMatchObject({
      fields: { host: '10.2.0.4', role: 'primary', cluster: 'users-c', datacenter: 'phx', shard: 'users' },
      classes: ['phx_new'],
    });
    expect(fromFile.servers.find((server) => server.name === 'db05.phx1')?.fields).toMatchObject({
      host: '10.1.0.5',
      sshPort: 2222,
    });
  });
});
