import type { InputIssue } from '../core/errors.js';
import type { AnsibleInventory } from './ansible-inventory.js';
import { type AnsibleVarsFiles, hostVariables } from './ansible-variable-precedence.js';
import type { ImportedServer, ImportedServerKey, ImportReading } from './imported-server.js';
import {
  type ServerRecordInput,
  SkippedVariables,
  type SourcedValue,
  serverRecord,
} from './server-record.js';

/**
 * Which Ansible variables set which server key, the first one set winning: Ansible's own
 * connection variables, `dbwave_*` for anything dbwave-specific, and the names common roles use
 * (geerlingguy.mysql's `mysql_port`, `mysql_datadir`, `mysql_log_error`,
 * `mysql_replication_role`). These variables are not copied into `vars`.
 */
export const ANSIBLE_SERVER_VARIABLES: Readonly<Record<ImportedServerKey, readonly string[]>> = {
  host: ['ansible_host', 'ansible_ssh_host'],
  port: ['dbwave_port', 'mysql_port'],
  sshPort: ['ansible_port', 'ansible_ssh_port'],
  sshUser: ['ansible_user', 'ansible_ssh_user'],
  datacenter: ['dbwave_datacenter', 'datacenter'],
  cluster: ['dbwave_cluster', 'cluster', 'mysql_cluster'],
  role: ['dbwave_role', 'role', 'mysql_replication_role'],
  shard: ['dbwave_shard', 'shard'],
  mdLayout: ['dbwave_md_layout', 'md_layout'],
  dataDir: ['dbwave_data_dir', 'mysql_datadir'],
  errorLog: ['dbwave_error_log', 'mysql_log_error'],
};

const MAPPED = new Set(Object.values(ANSIBLE_SERVER_VARIABLES).flat());
/** Ansible's own settings (connection, privilege escalation, interpreter): not the server's facts. */
const ANSIBLE_SETTING = /^ansible_/;

/** How hosts become classes: by the groups that hold them, or by one host variable. */
export type ClassSource = { readonly kind: 'groups' } | { readonly kind: 'variable'; readonly name: string };

/**
 * The servers of an Ansible inventory: each host's variables with Ansible's precedence, its keys
 * from {@link ANSIBLE_SERVER_VARIABLES}, its other variables as `vars` (Ansible's own `ansible_*`
 * settings and secrets left out), and its classes: the groups that list it themselves (not `all`
 * or `ungrouped`, not through a child), or the value of the `--group-by` variable.
 */
export function ansibleServers(
  inventory: AnsibleInventory,
  files: AnsibleVarsFiles,
  classSource: ClassSource,
  shownAs: string,
): ImportReading {
  const issues: InputIssue[] = [];
  const skipped = new SkippedVariables();
  const servers: ImportedServer[] = [];
  const directGroups = new Map<string, string[]>();
  for (const group of inventory.groups.values()) {
    if (group.name === 'all' || group.name === 'ungrouped') continue;
    for (const host of group.hosts) directGroups.set(host, [...(directGroups.get(host) ?? []), group.name]);
  }
  for (const host of inventory.hosts.values()) {
    const vars = hostVariables(inventory, host.name, files);
    const fields: Partial<Record<ImportedServerKey, SourcedValue>> = {};
    for (const [key, names] of Object.entries(ANSIBLE_SERVER_VARIABLES) as [ImportedServerKey, string[]][]) {
      const name = names.find((candidate) => vars.has(candidate));
      const value = name === undefined ? undefined : vars.get(name);
      if (value !== undefined) fields[key] = value;
    }
    let classes: string[];
    let noClassReason: string;
    if (classSource.kind === 'variable') {
      const value = vars.get(classSource.name)?.value;
      classes = typeof value === 'string' || typeof value === 'number' ? [String(value)] : [];
      noClassReason = `has no variable ${classSource.name} (--group-by)`;
    } else {
      classes = directGroups.get(host.name) ?? [];
      noClassReason = 'is in no group but all and ungrouped';
    }
    const others = new Map(
      [...vars].filter(
        ([name]) =>
          !MAPPED.has(name) &&
          !ANSIBLE_SETTING.test(name) &&
          !(classSource.kind === 'variable' && name === classSource.name),
      ),
    );
    const input: ServerRecordInput = {
      name: { value: host.name, key: host.name, origin: host.origin },
      fields,
      vars: others,
      classes,
      noClassReason,
    };
    const server = serverRecord(input, issues, skipped);
    if (server !== undefined) servers.push(server);
  }
  return issues.length > 0 ? { issues } : { shownAs, servers, skipped: skipped.list() };
}
