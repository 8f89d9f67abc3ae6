import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importAnsibleInventory } from '../../../src/app/import-inventory.js';
import { ExitStatus, exitStatusFor } from '../../../src/core/errors.js';
import { capture } from './import-test-support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/ansible/', import.meta.url));

describe('dbwave import ansible, run again after the inventory changed', () => {
  let dir = '';
  const run = async (args: { groupBy?: string; dryRun?: boolean } = {}) => {
    const io = capture();
    const status = await importAnsibleInventory(
      { inventory: 'inventory.ini', out: 'classes', ...args },
      io.streams,
      dir,
      Readable.from([]),
    );
    return { status, out: io.out() };
  };
  const classFile = (id: string) => readFile(join(dir, 'classes', `${id}.yaml`), 'utf8');
  const editInventory = async (from: string, to: string) => {
    const text = await readFile(join(dir, 'inventory.ini'), 'utf8');
    expect(text).toContain(from);
    await writeFile(join(dir, 'inventory.ini'), text.replace(from, to));
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-import-'));
    await cp(FIXTURE, dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every server it leaves out with why, and exits 1', async () => {
    const { status, out } = await run();
    expect(status).toBe(ExitStatus.Unhealthy);
    expect(out).toContain(
      'left out (1): in no class file\n  bastion.example.net (inventory.ini:2): is in no group but all and ungrouped: no class\n',
    );
    expect(out).toContain('inventory.ini: 13 of 14 servers in 3 classes\n');
  });

  it('shows servers added, removed and changed per class, and a second identical run changes nothing', async () => {
    await run();
    await editInventory(
      'db[01:04].phx1 md_layout=raid10-n2',
      'db[01:03].phx1 md_layout=raid10-n2\ndb06.phx1',
    );
    await editInventory('db05.phx1:2222 ansible_host=10.1.0.5', 'db05.phx1:2222 ansible_host=10.1.0.55');
    const { out } = await run();
    expect(out).toContain(
      [
        'classes/phx_old.yaml: wrote: class phx_old, 5 servers',
        '  added (1): db06.phx1',
        '  removed (1): db04.phx1',
        '  changed: db05.phx1: host: "10.1.0.5" -> "10.1.0.55"',
      ].join('\n'),
    );
    expect(out).toContain('classes/scl2.yaml: unchanged: class scl2, 4 servers');
    const again = await run();
    expect(again.out).toContain('classes/phx_old.yaml: unchanged: class phx_old, 5 servers\n');
  });

  it('keeps comments and hand-set keys, overwrites a key the inventory sets and says so', async () => {
    await run();
    const text = (await classFile('phx_old'))
      .replace('drives: 1', 'drives: 6 # counted in the rack, 2011')
      .replace(
        '  - name: db02.phx1\n',
        '  # db02 has the slow controller\n  - name: db02.phx1\n    tags: [slow-controller]\n',
      )
      .replace('host: 10.1.0.5', 'host: 10.1.0.50');
    await writeFile(join(dir, 'classes', 'phx_old.yaml'), text);
    const { out } = await run();
    expect(out).toContain('  changed: db05.phx1: host: "10.1.0.50" -> "10.1.0.5"');
    const after = await classFile('phx_old');
    expect(after).toContain('drives: 6 # counted in the rack, 2011');
    expect(after).toContain('  # db02 has the slow controller\n  - name: db02.phx1\n');
    expect(parse(after).servers[1]).toMatchObject({ name: 'db02.phx1', tags: ['slow-controller'] });
  });

  it('keeps a variable gone from the inventory and lists it', async () => {
    await run();
    await editInventory('mysqlService=mysql\n', '');
    const { out } = await run();
    expect(out).toContain(
      '  kept: db01.phx1: vars.mysqlService is no longer in inventory.ini (delete it if it should go)',
    );
    expect(parse(await classFile('phx_old')).servers[0].vars.mysqlService).toBe('mysql');
  });

  it('carries a server that moved class with its hand edits, and never touches a hand-written class file', async () => {
    await run();
    const old = await classFile('phx_old');
    await writeFile(
      join(dir, 'classes', 'phx_old.yaml'),
      old.replace('  - name: db05.phx1\n', '  - name: db05.phx1\n    tags: [moved]\n'),
    );
    await editInventory('db05.phx1:2222 ansible_host=10.1.0.5', '');
    await editInventory('[scl2]\n', '[scl2]\ndb05.phx1:2222 ansible_host=10.1.0.5\n');
    const handWritten =
      'id: spare\ndescription: spare\ndatacenter: phx\ndrives: 2\nexpected: {shutdown: {p50: 1m, p95: 2m}, start: {p50: 1m, p95: 2m}}\nservers:\n  - {name: users-dba.phx2, host: 10.9.9.9}\n';
    await writeFile(join(dir, 'classes', 'spare.yaml'), handWritten);
    const { out } = await run();
    expect(out).toContain('  moved here from classes/phx_old.yaml: db05.phx1');
    expect(parse(await classFile('scl2')).servers.at(-1)).toMatchObject({
      name: 'db05.phx1',
      tags: ['moved'],
    });
    expect(out).toContain(
      'users-dba.phx2 (inventory.ini:9): is already in classes/spare.yaml, a file dbwave import did not write',
    );
    expect(await classFile('spare')).toBe(handWritten);
  });

  it('--group-by takes the class from a host variable; --dry-run writes nothing', async () => {
    const { out, status } = await run({ groupBy: 'datacenter', dryRun: true });
    expect(out).toContain('classes/phx.yaml: would write: new class phx, 9 servers');
    expect(out).toContain('classes/scl2.yaml: would write: new class scl2, 4 servers');
    expect(out).toContain(
      'bastion.example.net (inventory.ini:2): has no variable datacenter (--group-by): no class',
    );
    expect(status).toBe(ExitStatus.Unhealthy);
    await expect(classFile('phx')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a bad value with its file, line and key, exit 2, and writes nothing', async () => {
    await editInventory(
      'users-dbd.phx2 ansible_host=10.2.0.4',
      'users-dbd.phx2 ansible_host="10.2.0.4; rm -rf /"',
    );
    const error = await run().catch((caught: unknown) => caught);
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect((error as Error).message).toBe(
      'inventory.ini:line 10: ansible_host: "10.2.0.4; rm -rf /" (server users-dbd.phx2) is not a valid host: is not a hostname or an IP address',
    );
    await expect(classFile('phx_new')).rejects.toThrow(/ENOENT/);
  });
});
