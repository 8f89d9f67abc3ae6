import type { InputIssue } from '../core/errors.js';
import type { KeyPath } from '../core/source-locator.js';
import type { YamlLines } from './yaml-source.js';

/** Where a server was first seen: its file and its position in that file's `servers`. */
interface FirstSeen {
  readonly lines: YamlLines;
  readonly index: number;
  readonly name: string;
  /** Its MySQL port (the campaign's when it gives none). */
  readonly port: number;
}

/**
 * Server names unique across the fleet; no two servers answering on one host and MySQL port.
 * Fed one class file at a time with its raw value, so that a duplicate is reported even in a file
 * with other problems, and so that the raw value need not be kept once the file is validated
 * (at 100,000 servers, keeping every raw copy until the end cost a tenth of the peak memory).
 */
export class FleetUniqueness {
  readonly #defaultPort: number;
  readonly #names = new Map<string, FirstSeen>();
  /** The first server on each host (lower case). */
  readonly #hosts = new Map<string, FirstSeen>();
  /** By `host:port`, the first server on each endpoint of a host that more than one server shares. */
  readonly #endpoints = new Map<string, FirstSeen>();
  readonly #issues: InputIssue[] = [];

  /** @param defaultPort the campaign's mysql.port, for servers that give none. */
  constructor(defaultPort: number) {
    this.#defaultPort = defaultPort;
  }

  /** Every duplicate found so far, in the order the files and their servers were added. */
  get issues(): readonly InputIssue[] {
    return this.#issues;
  }

  /** Adds the servers of one class file, as parsed (before validation). */
  add(lines: YamlLines, value: unknown): void {
    const servers = rawServers(value);
    for (let index = 0; index < servers.length; index += 1) {
      const server: RawServer = servers[index] ?? {};
      if (typeof server.name !== 'string') continue;
      const port = typeof server.port === 'number' ? server.port : this.#defaultPort;
      // One record per server, shared by the maps: at 100,000 servers every allocation shows.
      const seen: FirstSeen = { lines, index, name: server.name, port };
      const first = this.#names.get(server.name);
      if (first === undefined) this.#names.set(server.name, seen);
      else
        this.#issues.push(
          issueAt(
            lines,
            ['servers', index, 'name'],
            `${server.name} is already a server in ${where(first, 'name')}`,
          ),
        );

      if (typeof server.host !== 'string') continue;
      const host = server.host.toLowerCase();
      const firstOnHost = this.#hosts.get(host);
      if (firstOnHost === undefined) {
        this.#hosts.set(host, seen);
        continue;
      }
      // Most hosts have one server: only the others get a `host:port` key made and hashed. The
      // first server on a host is the first on its endpoint, so it need not be in #endpoints.
      const endpoint = `${host}:${port}`;
      const sameEndpoint = firstOnHost.port === port ? firstOnHost : this.#endpoints.get(endpoint);
      if (sameEndpoint === undefined) this.#endpoints.set(endpoint, seen);
      else
        this.#issues.push(
          issueAt(
            lines,
            ['servers', index, 'host'],
            `${endpoint} is also ${sameEndpoint.name}'s host and port (${where(sameEndpoint, 'host')})`,
          ),
        );
    }
  }
}

interface RawServer {
  readonly name?: unknown;
  readonly host?: unknown;
  readonly port?: unknown;
}

/** The file's `servers` as given; an item that is not an object has no name (the schema says why). */
function rawServers(value: unknown): readonly (RawServer | null | undefined)[] {
  if (value === null || typeof value !== 'object' || !('servers' in value)) return [];
  const servers = (value as { servers: unknown }).servers;
  return Array.isArray(servers) ? servers : [];
}

function where(seen: FirstSeen, key: 'name' | 'host'): string {
  const line = seen.lines.lineOf(['servers', seen.index, key]);
  return line === undefined ? seen.lines.file : `${seen.lines.file}:${line}`;
}

function issueAt(lines: YamlLines, key: KeyPath, message: string): InputIssue {
  const line = lines.lineOf(key);
  return { file: lines.file, ...(line === undefined ? {} : { line }), key: key.join('.'), message };
}
