import type { InputIssue } from '../core/errors.js';
import { INPUT_LIMITS } from '../inventory/input-limits.js';
import { issueAt, type SourceOrigin } from './imported-server.js';
import type { SourcedValue } from './server-record.js';

/** Variables by name, each with where it was set. */
export type SourcedVars = Map<string, SourcedValue>;

/** One Ansible group: its own hosts, its child groups, and the variables the inventory gives it. */
export interface AnsibleGroup {
  readonly name: string;
  /** Hosts listed in this group itself (not through its children), in inventory order. */
  readonly hosts: Set<string>;
  readonly children: Set<string>;
  readonly parents: Set<string>;
  readonly vars: SourcedVars;
}

/** One Ansible host and the variables the inventory file sets on it. */
export interface AnsibleHost {
  readonly name: string;
  readonly vars: SourcedVars;
  readonly origin: SourceOrigin;
}

/** An Ansible inventory as its plugins build it: groups of hosts and groups, with variables. */
export interface AnsibleInventory {
  readonly groups: ReadonlyMap<string, AnsibleGroup>;
  /** In the order the inventory first names them. */
  readonly hosts: ReadonlyMap<string, AnsibleHost>;
}

/**
 * Builds an inventory the way Ansible's `InventoryData` does: `all` and `ungrouped` always exist,
 * a host named again keeps its first place and gains the new variables, a child group that would
 * make a loop is an issue, and at the end every group without a parent is a child of `all` and
 * every host in no group is in `ungrouped`. At most {@link INPUT_LIMITS.importedHosts} hosts.
 */
export class AnsibleInventoryBuilder {
  readonly #groups = new Map<string, AnsibleGroup>();
  readonly #hosts = new Map<string, AnsibleHost>();
  readonly #issues: InputIssue[];

  constructor(issues: InputIssue[]) {
    this.#issues = issues;
    this.group('all');
    this.group('ungrouped');
  }

  /** How many more hosts may be added. */
  hostsLeft(): number {
    return INPUT_LIMITS.importedHosts - this.#hosts.size;
  }

  group(name: string): AnsibleGroup {
    let group = this.#groups.get(name);
    if (group === undefined) {
      group = { name, hosts: new Set(), children: new Set(), parents: new Set(), vars: new Map() };
      this.#groups.set(name, group);
    }
    return group;
  }

  hasGroup(name: string): boolean {
    return this.#groups.has(name);
  }

  /** Adds a host to a group; false (and an issue) past the host limit. */
  host(name: string, groupName: string, origin: SourceOrigin): AnsibleHost | undefined {
    let host = this.#hosts.get(name);
    if (host === undefined) {
      if (this.hostsLeft() <= 0) {
        const limit = INPUT_LIMITS.importedHosts.toLocaleString('en-US');
        this.#issues.push(
          issueAt(origin, '', `the inventory names more than ${limit} hosts, more than dbwave imports`),
        );
        return undefined;
      }
      host = { name, vars: new Map(), origin };
      this.#hosts.set(name, host);
    }
    this.group(groupName).hosts.add(name);
    return host;
  }

  /** Makes `child` a child of `parent`, unless that would make a loop (an issue, as in Ansible). */
  child(parentName: string, childName: string, origin: SourceOrigin): void {
    const parent = this.group(parentName);
    const child = this.group(childName);
    if (parentName === childName || this.#descends(parentName, childName)) {
      this.#issues.push(
        issueAt(
          origin,
          childName,
          `adding group ${childName} as a child of ${parentName} makes a loop of groups`,
        ),
      );
      return;
    }
    parent.children.add(childName);
    child.parents.add(parentName);
  }

  /** The inventory, with Ansible's closing rules applied. */
  build(): AnsibleInventory {
    const all = this.group('all');
    const ungrouped = this.group('ungrouped');
    for (const group of this.#groups.values()) {
      if (group.name !== 'all' && group.parents.size === 0) {
        all.children.add(group.name);
        group.parents.add('all');
      }
    }
    const grouped = new Set<string>();
    for (const group of this.#groups.values()) {
      if (group.name !== 'all' && group.name !== 'ungrouped')
        for (const host of group.hosts) grouped.add(host);
    }
    ungrouped.hosts.clear();
    for (const host of this.#hosts.keys()) if (!grouped.has(host)) ungrouped.hosts.add(host);
    all.hosts.clear();
    return { groups: this.#groups, hosts: this.#hosts };
  }

  /** Whether `descendant` is `ancestor` or below it. */
  #descends(descendant: string, ancestor: string): boolean {
    const seen = new Set<string>();
    const stack = [ancestor];
    while (stack.length > 0) {
      const name = stack.pop() ?? '';
      if (name === descendant) return true;
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...(this.#groups.get(name)?.children ?? []));
    }
    return false;
  }
}
