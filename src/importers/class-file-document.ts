import { Document, isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { IMPORTED_SERVER_KEYS, type ImportedServer } from './imported-server.js';
import type { ImportedClass } from './place-servers.js';

/**
 * The first line of a class file that `dbwave import` wrote and may rewrite. A file without it is
 * a person's: the import never touches it.
 */
export const IMPORT_MARKER = 'Written by dbwave import';

/** One value the import set on a server that the class file had otherwise. */
export interface ServerChange {
  readonly server: string;
  /** `host`, `sshPort`, `vars.NAME`, ... */
  readonly key: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** What a re-run changed in one class file. */
export interface ClassFileDiff {
  readonly added: string[];
  readonly removed: string[];
  /** Servers that came from another class file, with their hand edits. */
  readonly moved: { readonly server: string; readonly from: string }[];
  readonly changed: ServerChange[];
  /** Variables a server has in the file but no longer in the inventory: kept, and listed. */
  readonly notInInventory: { readonly server: string; readonly key: string }[];
}

const PLACEHOLDER = ' dbwave import: a placeholder, set it (a re-run keeps what you write)';

/**
 * A new class file for an imported class. What no inventory says (the description, the number
 * of drives, the expected timings) is a placeholder with a comment saying so; the datacenter is
 * the servers' when they all share one.
 */
export function newClassDocument(imported: ImportedClass, header: string): Document {
  const datacenters = new Set(imported.servers.map((server) => server.fields.datacenter));
  const [datacenter] = datacenters;
  const shared = datacenters.size === 1 && typeof datacenter === 'string' ? datacenter : undefined;
  const document = new Document({
    id: imported.id,
    description: `${imported.id} (imported: describe the hardware)`,
    datacenter: shared ?? 'unknown',
    drives: 1,
    expected: { shutdown: { p50: '10m', p95: '60m' }, start: { p50: '1m', p95: '5m' } },
    servers: [],
  });
  document.commentBefore = ` ${IMPORT_MARKER} ${header}\n Edit freely: a re-run keeps comments and every key the inventory does not set (docs/import.md).`;
  const placeholders =
    shared === undefined
      ? ['description', 'datacenter', 'drives', 'expected']
      : ['description', 'drives', 'expected'];
  for (const pair of (document.contents as YAMLMap).items) {
    if (placeholders.includes(keyName(pair.key)) && isScalar(pair.key)) pair.key.commentBefore = PLACEHOLDER;
  }
  mergeClassDocument(document, imported, new Map());
  return document;
}

/**
 * Brings a class file's servers in line with the import, editing the YAML document in place so
 * that its comments and hand-set keys stay: servers not imported are removed, new ones appended,
 * and on every server the keys the inventory sets take the inventory's value (a hand edit of such
 * a key is overwritten, and listed as a change). Keys the inventory does not set are never
 * touched or removed; a variable gone from the inventory stays, and is listed.
 *
 * @param carried server entries of other import-written class files, by server name: a server
 *   that moved class keeps its hand edits.
 */
export function mergeClassDocument(
  document: Document,
  imported: ImportedClass,
  carried: ReadonlyMap<string, { readonly node: YAMLMap; readonly file: string }>,
): ClassFileDiff {
  const diff: ClassFileDiff = { added: [], removed: [], moved: [], changed: [], notInInventory: [] };
  let servers = document.get('servers', true);
  if (!isSeq(servers)) {
    servers = document.createNode([]) as YAMLSeq;
    document.set('servers', servers);
  }
  const seq = servers as YAMLSeq;
  const wanted = new Map(imported.servers.map((server) => [server.name, server]));
  const present = new Map<string, YAMLMap>();
  for (let index = seq.items.length - 1; index >= 0; index--) {
    const item = seq.items[index];
    const name = isMap(item) ? item.get('name') : undefined;
    if (typeof name === 'string' && wanted.has(name) && !present.has(name)) {
      present.set(name, item as YAMLMap);
      continue;
    }
    seq.items.splice(index, 1);
    diff.removed.unshift(typeof name === 'string' ? name : `entry ${index + 1}`);
  }
  for (const server of imported.servers) {
    let node = present.get(server.name);
    if (node === undefined) {
      const from = carried.get(server.name);
      if (from !== undefined) {
        node = from.node.clone() as YAMLMap;
        diff.moved.push({ server: server.name, from: from.file });
      } else {
        node = document.createNode({ name: server.name }) as YAMLMap;
        diff.added.push(server.name);
      }
      seq.items.push(node);
      updateServer(document, node, server, undefined);
    } else updateServer(document, node, server, diff);
  }
  return diff;
}

function updateServer(
  document: Document,
  node: YAMLMap,
  server: ImportedServer,
  diff: ClassFileDiff | undefined,
): void {
  for (const key of IMPORTED_SERVER_KEYS) {
    const value = server.fields[key];
    if (value === undefined) continue;
    const before = node.get(key);
    if (before === value) continue;
    node.set(key, value);
    diff?.changed.push({ server: server.name, key, from: before, to: value });
  }
  const entries = Object.entries(server.vars);
  let vars: unknown = node.get('vars', true);
  if (entries.length > 0 && !isMap(vars)) {
    vars = document.createNode({}) as YAMLMap;
    node.set('vars', vars);
  }
  if (!isMap(vars)) return;
  for (const [name, value] of entries) {
    const before = vars.get(name);
    if (before !== undefined && String(before) === String(value)) continue;
    vars.set(name, value);
    diff?.changed.push({ server: server.name, key: `vars.${name}`, from: before, to: value });
  }
  for (const item of vars.items) {
    const name = keyName(item.key);
    if (!(name in server.vars)) diff?.notInInventory.push({ server: server.name, key: `vars.${name}` });
  }
}

function keyName(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}
