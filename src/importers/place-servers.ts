import { identifier } from '../model/schema-primitives.js';
import type { ImportedServer, SourceOrigin } from './imported-server.js';

/** The servers an import puts in one class. */
export interface ImportedClass {
  readonly id: string;
  readonly servers: readonly ImportedServer[];
}

/** A server the import leaves out, and why: every server is placed or listed. */
export interface LeftOutServer {
  readonly name: string;
  readonly origin: SourceOrigin;
  readonly why: string;
}

/** What the class files already in the output folder say, when a person wrote them. */
export interface HandWrittenClasses {
  /** Class id to the file that holds it. */
  readonly classes: ReadonlyMap<string, string>;
  /** Server name to the file that holds it. */
  readonly servers: ReadonlyMap<string, string>;
}

/**
 * Puts each server in its one class, or leaves it out with the reason: in no class, in two or
 * more, a class id dbwave cannot use, a class or server a hand-written file already holds, or
 * the same host and port as a server placed before it (dbwave would refuse the fleet).
 */
export function placeServers(
  servers: readonly ImportedServer[],
  handWritten: HandWrittenClasses,
): { classes: ImportedClass[]; leftOut: LeftOutServer[] } {
  const byClass = new Map<string, ImportedServer[]>();
  const leftOut: LeftOutServer[] = [];
  const endpoints = new Map<string, string>();
  for (const server of servers) {
    const why = reasonToLeaveOut(server, handWritten, endpoints);
    if (why !== undefined) {
      leftOut.push({ name: server.name, origin: server.origin, why });
      continue;
    }
    const id = server.classes[0] ?? '';
    byClass.set(id, [...(byClass.get(id) ?? []), server]);
  }
  const classes = [...byClass.entries()]
    .map(([id, members]) => ({ id, servers: members }))
    .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  return { classes, leftOut };
}

function reasonToLeaveOut(
  server: ImportedServer,
  handWritten: HandWrittenClasses,
  endpoints: Map<string, string>,
): string | undefined {
  const [id, ...others] = server.classes;
  if (id === undefined) return `${server.noClassReason}: no class`;
  if (others.length > 0) return `is in ${server.classes.length} classes: ${server.classes.join(', ')}`;
  if (!identifier.safeParse(id).success)
    return `its class "${id}" cannot be a class id (letters, digits, dot, dash and underscore)`;
  const classFile = handWritten.classes.get(id);
  if (classFile !== undefined) return `its class ${id} is ${classFile}, a file dbwave import did not write`;
  const serverFile = handWritten.servers.get(server.name);
  if (serverFile !== undefined) return `is already in ${serverFile}, a file dbwave import did not write`;
  const endpoint = `${server.fields.host.toLowerCase()}:${server.fields.port ?? 'default'}`;
  const first = endpoints.get(endpoint);
  if (first !== undefined) return `answers on the same host and MySQL port as ${first}`;
  endpoints.set(endpoint, server.name);
  return undefined;
}
