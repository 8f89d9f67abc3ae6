import type { AnsibleGroup, AnsibleInventory, SourcedVars } from './ansible-inventory.js';

/** The variables of `group_vars/` and `host_vars/` files beside an inventory, by group and host. */
export interface AnsibleVarsFiles {
  readonly groups: ReadonlyMap<string, SourcedVars>;
  readonly hosts: ReadonlyMap<string, SourcedVars>;
}

export const NO_VARS_FILES: AnsibleVarsFiles = { groups: new Map(), hosts: new Map() };

/**
 * A host's variables as Ansible computes them (its default `VARIABLE_PRECEDENCE`), each later
 * source replacing a variable of an earlier one: the inventory's `all` vars; the inventory's vars
 * of every group the host is in, parents before children (by depth, then `ansible_group_priority`,
 * then name); `group_vars/all`; `group_vars/<group>` in the same order; the host's own vars in the
 * inventory; `host_vars/<host>`.
 */
export function hostVariables(
  inventory: AnsibleInventory,
  hostName: string,
  files: AnsibleVarsFiles = NO_VARS_FILES,
): SourcedVars {
  const groups = groupsOf(inventory, hostName);
  const layers: (SourcedVars | undefined)[] = [
    inventory.groups.get('all')?.vars,
    ...groups.map((group) => group.vars),
    files.groups.get('all'),
    ...groups.map((group) => files.groups.get(group.name)),
    inventory.hosts.get(hostName)?.vars,
    files.hosts.get(hostName),
  ];
  const result: SourcedVars = new Map();
  for (const layer of layers) for (const [name, value] of layer ?? []) result.set(name, value);
  return result;
}

/** Every group a host is in, directly or through children, but `all`: sorted as Ansible sorts them. */
function groupsOf(inventory: AnsibleInventory, hostName: string): AnsibleGroup[] {
  const found = new Map<string, AnsibleGroup>();
  const stack = [...inventory.groups.values()].filter((group) => group.hosts.has(hostName));
  while (stack.length > 0) {
    const group = stack.pop();
    if (group === undefined || found.has(group.name) || group.name === 'all') continue;
    found.set(group.name, group);
    for (const parent of group.parents) {
      const parentGroup = inventory.groups.get(parent);
      if (parentGroup !== undefined) stack.push(parentGroup);
    }
  }
  const depths = new Map<string, number>();
  const depthOf = (group: AnsibleGroup): number => {
    const known = depths.get(group.name);
    if (known !== undefined) return known;
    depths.set(group.name, 0); // a loop is refused when the inventory is built; this only guards
    let depth = 0;
    for (const parent of group.parents) {
      const parentGroup = inventory.groups.get(parent);
      if (parentGroup !== undefined) depth = Math.max(depth, depthOf(parentGroup) + 1);
    }
    depths.set(group.name, depth);
    return depth;
  };
  const key = (group: AnsibleGroup) => [depthOf(group), priorityOf(group)] as const;
  return [...found.values()].sort((left, right) => {
    const [leftDepth, leftPriority] = key(left);
    const [rightDepth, rightPriority] = key(right);
    if (leftDepth !== rightDepth) return leftDepth - rightDepth;
    if (leftPriority !== rightPriority) return leftPriority - rightPriority;
    return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
  });
}

/** `ansible_group_priority` from the inventory's group vars (default 1), as Ansible reads it. */
function priorityOf(group: AnsibleGroup): number {
  const value = Number(group.vars.get('ansible_group_priority')?.value ?? 1);
  return Number.isInteger(value) ? value : 1;
}
