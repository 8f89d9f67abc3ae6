import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { errorMessage, InputError } from '../core/errors.js';
import { writeFileAtomically } from '../core/write-file-atomically.js';
import type { DeclaredTopology } from '../model/declared-topology.js';

/** One server entry that `discover --write` changed. */
export interface ClassTopologyChange {
  readonly file: string;
  readonly server: string;
  readonly before: { readonly cluster?: string; readonly role?: string };
  readonly after: { readonly cluster?: string; readonly role?: string };
}

/**
 * Writes `cluster` and `role` into the server entries of hardware-class files, editing the YAML
 * document (the `yaml` package's Document API) so that comments, key order, quoting and every
 * other hand edit stay as they were; a file with nothing to change is not rewritten. Each file
 * is replaced atomically. Returns what changed.
 */
export async function writeClassTopology(
  files: readonly string[],
  entries: ReadonlyMap<string, DeclaredTopology>,
): Promise<ClassTopologyChange[]> {
  const changes: ClassTopologyChange[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw InputError.of(file, '', `cannot read: ${errorMessage(error)}`);
    }
    const document = parseDocument(text);
    const servers = isMap(document.contents) ? document.contents.get('servers', true) : undefined;
    if (!isSeq(servers)) continue;
    const changed: ClassTopologyChange[] = [];
    for (const item of servers.items) {
      if (!isMap(item)) continue;
      const name = scalarText(item, 'name');
      const entry = name === undefined ? undefined : entries.get(name);
      if (name === undefined || entry === undefined) continue;
      const before = { cluster: scalarText(item, 'cluster'), role: scalarText(item, 'role') };
      const after = entry === 'none' ? {} : { cluster: entry.cluster, role: entry.role };
      if (before.cluster === after.cluster && before.role === after.role) continue;
      if (entry === 'none') {
        item.delete('cluster');
        item.delete('role');
      } else {
        item.set('cluster', entry.cluster);
        item.set('role', entry.role);
      }
      changed.push({ file, server: name, before: defined(before), after });
    }
    if (changed.length === 0) continue;
    await writeFileAtomically(file, document.toString());
    changes.push(...changed);
  }
  return changes;
}

function scalarText(map: YAMLMap, key: string): string | undefined {
  const node = map.get(key, true);
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

function defined(values: {
  cluster: string | undefined;
  role: string | undefined;
}): ClassTopologyChange['before'] {
  return {
    ...(values.cluster === undefined ? {} : { cluster: values.cluster }),
    ...(values.role === undefined ? {} : { role: values.role }),
  };
}
