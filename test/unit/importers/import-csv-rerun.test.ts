import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importCsvSpreadsheet } from '../../../src/app/import-inventory.js';
import { ExitStatus } from '../../../src/core/errors.js';
import { capture } from './import-test-support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/csv/', import.meta.url));

describe('dbwave import csv, and run again after the spreadsheet changed', () => {
  let dir = '';
  const run = async (
    args: { groupBy?: string; dryRun?: boolean; file?: string } = {},
    stdin: string[] = [],
  ) => {
    const io = capture();
    const status = await importCsvSpreadsheet(
      { file: 'servers.csv', out: 'classes', ...args },
      io.streams,
      dir,
      Readable.from(stdin),
    );
    return { status, out: io.out() };
  };
  const classFile = (id: string) => readFile(join(dir, 'classes', `${id}.yaml`), 'utf8');
  const editSpreadsheet = async (from: string, to: string) => {
    const text = await readFile(join(dir, 'servers.csv'), 'utf8');
    expect(text).toContain(from);
    await writeFile(join(dir, 'servers.csv'), text.replace(from, to));
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-import-csv-'));
    await cp(FIXTURE, dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the columns into server keys and vars, and lists the server without a class with its line', async () => {
    const { status, out } = await run();
    expect(status).toBe(ExitStatus.Unhealthy);
    expect(out).toBe(
      [
        'classes/phx_new.yaml: wrote: new class phx_new, 3 servers (set its description, drives and expected timings)',
        'classes/phx_old.yaml: wrote: new class phx_old, 4 servers (set its description, drives and expected timings)',
        'left out (1): in no class file',
        '  build.phx1 (servers.csv:10): has an empty Class cell: no class',
        'servers.csv: 7 of 8 servers in 2 classes',
        '',
      ].join('\n'),
    );
    const old = parse(await classFile('phx_old'));
    expect(old.datacenter).toBe('phx');
    expect(old.servers[2]).toEqual({
      name: 'db03.phx1',
      host: '10.1.0.3',
      sshPort: 2222,
      sshUser: 'dba',
      datacenter: 'phx',
      cluster: 'orders',
      role: 'replica',
      vars: { mysqlService: 'mariadb', rack: 'A3' },
    });
    expect(old.servers[1].vars.notes).toBe('moved from B7, 2021');
    const fresh = parse(await classFile('phx_new'));
    expect(fresh.servers.map((server: { role: string }) => server.role)).toEqual([
      'primary',
      'replica',
      'replica',
    ]);
    expect(fresh.servers[0].vars.notes).toBe('the "big" one');
  });

  it('shows servers added, removed and changed per class, and a second identical run changes nothing', async () => {
    await run();
    await editSpreadsheet(
      'db04.phx1,10.1.0.4,phx_old,,,dba,,phx,mariadb,A4,\r\n',
      'db05.phx1,10.1.0.5,phx_old,,,dba,,phx,mariadb,A5,\r\n',
    );
    await editSpreadsheet('db03.phx1,10.1.0.3,', 'db03.phx1,10.1.0.33,');
    const { out } = await run();
    expect(out).toContain(
      [
        'classes/phx_old.yaml: wrote: class phx_old, 4 servers',
        '  added (1): db05.phx1',
        '  removed (1): db04.phx1',
        '  changed: db03.phx1: host: "10.1.0.3" -> "10.1.0.33"',
      ].join('\n'),
    );
    expect(out).toContain('classes/phx_new.yaml: unchanged: class phx_new, 3 servers\n');
    const again = await run();
    expect(again.out).toContain('classes/phx_old.yaml: unchanged: class phx_old, 4 servers\n');
    expect(again.out).toContain('classes/phx_new.yaml: unchanged: class phx_new, 3 servers\n');
  });

  it('keeps comments and hand-set keys, overwrites a key the spreadsheet sets and says so', async () => {
    await run();
    const text = (await classFile('phx_old'))
      .replace('drives: 1', 'drives: 6 # counted in the rack, 2011')
      .replace(
        '  - name: db02.phx1\n',
        '  # db02 has the slow controller\n  - name: db02.phx1\n    tags: [slow-controller]\n',
      )
      .replace('host: 10.1.0.3', 'host: 10.1.0.30');
    await writeFile(join(dir, 'classes', 'phx_old.yaml'), text);
    const { out } = await run();
    expect(out).toContain('  changed: db03.phx1: host: "10.1.0.30" -> "10.1.0.3"');
    const after = await classFile('phx_old');
    expect(after).toContain('drives: 6 # counted in the rack, 2011');
    expect(after).toContain('  # db02 has the slow controller\n  - name: db02.phx1\n');
    expect(parse(after).servers[1]).toMatchObject({ name: 'db02.phx1', tags: ['slow-controller'] });
  });

  it('keeps a variable whose cell was emptied, and lists it', async () => {
    await run();
    await editSpreadsheet('phx,mariadb,A1,', 'phx,mariadb,,');
    const { out } = await run();
    expect(out).toContain(
      '  kept: db01.phx1: vars.rack is no longer in servers.csv (delete it if it should go)',
    );
    expect(parse(await classFile('phx_old')).servers[0].vars.rack).toBe('A1');
  });

  it('removes the file of a class with no server left, and moves a server with its hand edits', async () => {
    await run();
    const old = await classFile('phx_old');
    await writeFile(
      join(dir, 'classes', 'phx_old.yaml'),
      old.replace('  - name: db04.phx1\n', '  - name: db04.phx1\n    tags: [moved]\n'),
    );
    const text = await readFile(join(dir, 'servers.csv'), 'utf8');
    await writeFile(join(dir, 'servers.csv'), text.replaceAll(',phx_old,', ',phx_new,'));
    const { out } = await run();
    expect(out).toContain(
      'classes/phx_old.yaml: removed: no server of servers.csv is in class phx_old any more',
    );
    expect(out).toContain('  moved here from classes/phx_old.yaml: db04.phx1');
    expect(parse(await classFile('phx_new')).servers.at(-1)).toMatchObject({
      name: 'db04.phx1',
      tags: ['moved'],
    });
    await expect(classFile('phx_old')).rejects.toThrow(/ENOENT/);
  });

  it('--group-by takes the class from another column, which is then no var and the class column is not read; --dry-run writes nothing', async () => {
    const { out, status } = await run({ groupBy: 'RACK', dryRun: true });
    expect(out).toContain('classes/A1.yaml: would write: new class A1, 1 server');
    expect(out).toContain('servers.csv: 8 of 8 servers in 8 classes');
    expect(status).toBe(ExitStatus.Ok);
    await expect(classFile('A1')).rejects.toThrow(/ENOENT/);
    await run({ groupBy: 'datacenter' });
    const phx = parse(await classFile('phx'));
    expect(phx.servers).toHaveLength(8);
    expect(phx.servers[0].datacenter).toBe('phx');
    expect(Object.keys(phx.servers[0].vars)).toEqual(['mysqlService', 'rack']);
    await run({ groupBy: 'rack' });
    expect(parse(await classFile('A2')).servers[0].vars).toEqual({
      mysqlService: 'mariadb',
      notes: 'moved from B7, 2021',
    });
  });

  it('reads - from stdin, in chunks that split a quoted field', async () => {
    const { out, status } = await run({ file: '-' }, ['name,class,no', 'tes\ndb1,ix6,"a,', ' b"\n']);
    expect(status).toBe(ExitStatus.Ok);
    expect(out).toContain('classes/ix6.yaml: wrote: new class ix6, 1 server');
    expect(out).toContain('stdin: 1 of 1 servers in 1 classes');
    expect(parse(await classFile('ix6')).servers[0]).toEqual({
      name: 'db1',
      host: 'db1',
      vars: { notes: 'a, b' },
    });
  });
});
