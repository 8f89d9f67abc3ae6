import { describe, expect, it } from 'vitest';
import { FleetUniqueness } from '../../../src/inventory/fleet-uniqueness.js';
import type { YamlLines } from '../../../src/inventory/yaml-source.js';

/** A class file whose server `i` is written on line `10 + i`, its host one line below its name. */
function classFile(file: string): YamlLines {
  return {
    file,
    lineOf: (key) => 10 + Number(key[1]) + (key[2] === 'host' ? 1 : 0),
  };
}

describe('FleetUniqueness', () => {
  it('reports each server on an endpoint taken before, by host in any case and port, the default port included', () => {
    const uniqueness = new FleetUniqueness(3306);
    uniqueness.add(classFile('fleet/a.yaml'), {
      servers: [
        { name: 'a1', host: 'db1.example.net' },
        { name: 'a2', host: 'db1.example.net', port: 3307 },
        { name: 'a3', host: 'DB1.example.net', port: 3307 },
        { name: 'a4', host: 'db1.example.net', port: 3308 },
      ],
    });
    uniqueness.add(classFile('fleet/b.yaml'), {
      servers: [
        { name: 'b1', host: 'db1.example.net', port: 3306 },
        { name: 'b2', host: 'db1.example.net', port: 3308 },
        { name: 'b3', host: 'db2.example.net', port: 3307 },
        { name: 'a1', host: 'db3.example.net', port: '3306' },
        { name: 'b5', host: 'db3.example.net' },
        { name: 'b6', host: 'db2.example.net', port: 3307 },
      ],
    });
    expect(
      uniqueness.issues.map((issue) => `${issue.file}:${issue.line} ${issue.key}: ${issue.message}`),
    ).toStrictEqual([
      "fleet/a.yaml:13 servers.2.host: db1.example.net:3307 is also a2's host and port (fleet/a.yaml:12)",
      "fleet/b.yaml:11 servers.0.host: db1.example.net:3306 is also a1's host and port (fleet/a.yaml:11)",
      "fleet/b.yaml:12 servers.1.host: db1.example.net:3308 is also a4's host and port (fleet/a.yaml:14)",
      'fleet/b.yaml:13 servers.3.name: a1 is already a server in fleet/a.yaml:10',
      "fleet/b.yaml:15 servers.4.host: db3.example.net:3306 is also a1's host and port (fleet/b.yaml:14)",
      "fleet/b.yaml:16 servers.5.host: db2.example.net:3307 is also b3's host and port (fleet/b.yaml:13)",
    ]);
  });
});
