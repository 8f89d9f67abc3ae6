import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { resolveServer, serverResolver } from '../../../src/model/resolve-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('loadInventory on the source case', () => {
  it('loads the campaign and its 130 servers in three classes, the fleet folder relative to the campaign', async () => {
    const inventory = await loadInventory('waves/mysql-5.1.58.yaml', { cwd: ROOT });
    expect(inventory.campaign.campaign).toBe('mysql-5.1.58');
    expect(inventory.fleetDir).toBe(join(ROOT, 'hardware-classes'));
    expect(inventory.classes.map((entry) => [entry.id, entry.servers.length])).toEqual([
      ['cuil-9drive-scl2', 40],
      ['ix-24drive-phx-new', 50],
      ['ix-6drive-phx-old', 40],
    ]);
    expect(inventory.campaign.target503).toBe(600_000);
    expect(inventory.campaign.shutdown.budget).toBe(3_600_000);
  });

  it('points the planner at the file and line of any key', async () => {
    const inventory = await loadInventory('waves/mysql-5.1.58.yaml', { cwd: ROOT });
    expect(inventory.sources.campaign(['waves', 1, 'size'])).toEqual({
      file: 'waves/mysql-5.1.58.yaml',
      line: 14,
    });
    expect(inventory.sources.hardwareClass('ix-6drive-phx-old', ['servers'])).toEqual({
      file: 'hardware-classes/ix-6drive-phx-old.yaml',
      line: 20,
    });
  });
});

describe('serverResolver', () => {
  it('fills ports, datacenter and vars from the class and the campaign', async () => {
    const inventory = await loadInventory('waves/mysql-5.1.58.yaml', { cwd: ROOT });
    const resolver = serverResolver(inventory.classes, {
      mysql: { user: 'dbwave', port: 3307, connectTimeout: 5000 },
      ssh: undefined,
    });
    expect(resolver.resolve('users-db1')).toEqual({
      name: 'users-db1',
      class: 'ix-6drive-phx-old',
      host: 'users-db1.phx1.example.net',
      port: 3307,
      sshPort: 22,
      transport: 'ssh',
      datacenter: 'phx1',
      cluster: 'users-a',
      role: 'primary',
      shard: 'users-a',
      dataDir: '/var/lib/mysql',
      errorLog: '/var/log/mysql/error.log',
      mdLayout: 'raid10-n2',
      vars: { mysqlService: 'mysql' },
    });
    expect(resolver.resolve('nobody')).toBeUndefined();
    expect(resolver.all()).toHaveLength(130);
  });

  it('lets a server override its class: port, ssh port, datacenter and vars', () => {
    const resolved = resolveServer(
      { name: 'a', host: '10.0.0.1', port: 3310, sshPort: 2222, datacenter: 'scl2', vars: { b: '2' } },
      {
        id: 'k',
        description: '',
        datacenter: 'phx1',
        drives: 1,
        transport: 'local',
        expected: { shutdown: { p50: 1, p95: 2 }, start: { p50: 1, p95: 2 } },
        vars: { a: '1', b: '1' },
        servers: [],
      },
      { mysql: undefined, ssh: { user: 'u', port: 2200, identity: 'k', knownHosts: 'h', connectTimeout: 1 } },
    );
    expect(resolved).toMatchObject({
      port: 3310,
      sshPort: 2222,
      datacenter: 'scl2',
      transport: 'local',
      vars: { a: '1', b: '2' },
    });
  });
});

describe('resolveServer', () => {
  const hardwareClass = {
    id: 'k',
    description: '',
    datacenter: 'phx1',
    drives: 1,
    transport: 'ssh' as const,
    expected: { shutdown: { p50: 1, p95: 2 }, start: { p50: 1, p95: 2 } },
    servers: [],
  };

  it('writes its keys in one order, an optional one only when the server sets it (journals and reports print them)', () => {
    const full = resolveServer(
      {
        name: 'a',
        host: 'a.example.net',
        sshUser: 'ops',
        mdLayout: 'raid5',
        cluster: 'c',
        role: 'replica',
        shard: 's',
        dataDir: '/d',
        errorLog: '/e',
        vars: { x: '1' },
      },
      { ...hardwareClass, vars: { y: '2', x: '0' } },
      { mysql: undefined, ssh: undefined },
    );
    expect(JSON.stringify(full)).toBe(
      '{"name":"a","class":"k","host":"a.example.net","port":3306,"sshPort":22,"sshUser":"ops","transport":"ssh","datacenter":"phx1","cluster":"c","role":"replica","shard":"s","dataDir":"/d","errorLog":"/e","mdLayout":"raid5","vars":{"y":"2","x":"1"}}',
    );
    const bare = resolveServer({ name: 'b', host: 'b.example.net' }, hardwareClass, {
      mysql: undefined,
      ssh: undefined,
    });
    expect(Object.keys(bare)).toStrictEqual([
      'name',
      'class',
      'host',
      'port',
      'sshPort',
      'transport',
      'datacenter',
      'vars',
    ]);
    expect(bare.vars).toStrictEqual({});
  });
});

describe('loadInventory refuses bad files', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('collects the problems of every file into one error, each with its file, key and line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-inventory-'));
    await writeFile(
      join(dir, 'campaign.yaml'),
      [
        'campaign: c',
        'fleet: fleet',
        'timezone: Nowhere/Special',
        'from: { version: "1" }',
        'to: { version: "2" }',
        'window: { start: "09:00", end: "17:00" }',
        'waves: [{ date: 2011-09-20, size: rest }]',
        '',
      ].join('\n'),
    );
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'fleet'));
    await writeFile(
      join(dir, 'fleet', 'k.yaml'),
      [
        'id: k',
        'description: k',
        'datacenter: phx1',
        'drives: 0',
        'expected: { shutdown: { p50: 1m, p95: 2m }, start: { p50: 1m, p95: soon } }',
        'servers:',
        '  - { name: a, host: a.example.net }',
        '  - { name: a, host: "a b" }',
        '',
      ].join('\n'),
    );
    const error = await loadInventory(join(dir, 'campaign.yaml'), { cwd: dir }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message.split('\n')).toEqual([
      'campaign.yaml:line 3: timezone: is not a known IANA time zone',
      'fleet/k.yaml:line 4: drives: Too small: expected number to be >0',
      'fleet/k.yaml:line 5: expected.start.p95: must be a duration such as 90s, 10m or 1h',
      'fleet/k.yaml:line 8: servers.1.host: is not a hostname or an IP address',
      'fleet/k.yaml:line 8: servers.1.name: a is already a server in fleet/k.yaml:7',
    ]);
  });
});
