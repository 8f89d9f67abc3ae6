import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsvSpreadsheet } from '../../../src/app/import-inventory.js';
import { ExitStatus, exitStatusFor } from '../../../src/core/errors.js';
import { INPUT_LIMITS } from '../../../src/inventory/input-limits.js';
import { sink } from './import-test-support.js';

describe('dbwave import csv refuses a bad spreadsheet: file, line, column, what is wrong; exit 2; nothing written', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-import-csv-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const refusal = async (text: string | Buffer, groupBy?: string): Promise<string> => {
    await writeFile(join(dir, 'x.csv'), text);
    const error = await importCsvSpreadsheet(
      { file: 'x.csv', out: 'out', groupBy },
      sink,
      dir,
      Readable.from([]),
    ).catch((caught: unknown) => caught);
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect(await readdir(dir)).not.toContain('out');
    return (error as Error).message;
  };

  const cases: [string, string, string][] = [
    ['an empty file', '', 'x.csv: the file is empty: it needs a header row'],
    [
      'a header without a name column',
      'host,class\n10.0.0.1,ix6\n',
      'x.csv:line 1: name: the header has no name column: every server needs a name',
    ],
    [
      'a header without a class column',
      'name,host\ndb1,10.0.0.1\n',
      'x.csv:line 1: class: the header has no class column: add one, or name the column that holds the class with --group-by COLUMN',
    ],
    [
      'a column that is neither a known one nor a variable name',
      'name,class,Rack Unit\ndb1,ix6,4\n',
      'x.csv:line 1: column 3: "Rack Unit" is neither a column dbwave reads (name, host, port, ssh_port, ssh_user, datacenter, cluster, role, shard, md_layout, data_dir, error_log, class) nor a template variable name (letters, digits and underscore, not starting with a digit)',
    ],
    [
      'the same column twice, in another case',
      'name,class,Rack,rack\ndb1,ix6,1,2\n',
      'x.csv:line 1: rack: columns Rack and rack both give vars.rack (headers are case-insensitive)',
    ],
    [
      'two columns for one server key',
      'name,class,port,mysql_port\ndb1,ix6,3306,3307\n',
      'x.csv:line 1: mysql_port: columns port and mysql_port both give port (headers are case-insensitive)',
    ],
    [
      'a row with more fields than the header',
      'name,class\ndb1,ix6\ndb2,ix6,a,b\n',
      'x.csv:line 3: the row has 4 fields, the header 2 columns (a comma inside a field needs the field in quotes)',
    ],
    [
      'a row with fewer fields than the header',
      'name,class,host\r\ndb1,ix6\r\n',
      'x.csv:line 2: the row has 2 fields, the header 3 columns (a comma inside a field needs the field in quotes)',
    ],
    [
      'a quote inside an unquoted field, named by its column',
      'name,class,note\ndb1,ix6,the "old" one\n',
      'x.csv:line 2: note: a quote inside a field that does not start with one: put the whole field in quotes and double the quote ("")',
    ],
    [
      'a quoted field never closed',
      'name,class,note\ndb1,ix6,"a\ndb2,ix6,b\n',
      'x.csv:line 2: note: the quoted field that starts on this line is never closed (a missing ")',
    ],
    [
      'text after a closing quote',
      'name,class\n"db1"x,ix6\n',
      'x.csv:line 2: name: text after the closing quote of a quoted field (a quote inside it is written "")',
    ],
    [
      'an empty name',
      'name,class,host\n,ix6,10.0.0.1\n',
      'x.csv:line 2: name: the name is empty: every server needs a name',
    ],
    [
      'the same name twice',
      'name,class\ndb1,ix6\ndb2,ix6\nDB1,ix6\ndb1,ix7\n',
      'x.csv:line 5: name: db1 is named on line 2 already',
    ],
    [
      'a value in a column with no header',
      'name,class,\ndb1,ix6,\ndb2,ix6,x\n',
      'x.csv:line 3: column 3: a value in a column with no name in the header',
    ],
    [
      'a host that is not a hostname',
      'name,class,host\ndb1,ix6,10.0.0.1; rm -rf /\n',
      'x.csv:line 2: host: "10.0.0.1; rm -rf /" (server db1) is not a valid host: is not a hostname or an IP address',
    ],
    [
      'a port that is not a port, on the line its quoted field starts',
      'name,note,class,SSH_Port\ndb1,"a\nb",ix6,70000\n',
      'x.csv:line 3: SSH_Port: 70000 (server db1) is not a valid sshPort: Too big: expected number to be <=65535',
    ],
    [
      'a role that is neither',
      'name,class,cluster,role\ndb1,ix6,c1,leader\n',
      'x.csv:line 2: role: "leader" (server db1) is not a valid role: Invalid option: expected one of "primary"|"replica"',
    ],
    [
      'every bad value, each on its line',
      'name,class,port\ndb1,ix6,x\ndb2,ix6,3306\ndb3,ix6,0\n',
      [
        'x.csv:line 2: port: "x" (server db1) is not a valid port: Invalid input: expected number, received string',
        'x.csv:line 4: port: 0 (server db3) is not a valid port: Too small: expected number to be >=1',
      ].join('\n'),
    ],
  ];
  it.each(cases)('%s', async (_, text, message) => {
    expect(await refusal(text)).toBe(message);
  });

  it('names a column whose header holds a line break by its place, and shows the header quoted', async () => {
    expect(await refusal('name,"no\nte",class\ndb1,x,ix6\n')).toMatch(
      /^x\.csv:line 1: column 2: "no\\nte" is neither a column dbwave reads /,
    );
  });

  it('refuses --group-by a column the header lacks', async () => {
    expect(await refusal('name,class\ndb1,ix6\n', 'rack')).toBe(
      'x.csv:line 1: rack: the header has no column rack (--group-by)',
    );
  });

  it('refuses a header past the column limit before keeping its fields', async () => {
    const columns = INPUT_LIMITS.importedColumns + 1;
    expect(await refusal(`name,class${',x'.repeat(columns - 2)}\n`)).toBe(
      `x.csv:line 1: the header has ${columns} columns, more than the 1,000 dbwave reads`,
    );
  });

  it('refuses more rows than the host limit', async () => {
    const rows = Array.from({ length: INPUT_LIMITS.importedHosts + 1 }, (_, index) => `db${index},ix6\n`);
    expect(await refusal(`name,class\n${rows.join('')}`)).toBe(
      'x.csv:line 100002: more than 100,000 servers, more than dbwave imports',
    );
  });

  it('refuses a file with a line past the line limit, by its line number', async () => {
    expect(await refusal(`name,class\ndb1,"${'x'.repeat(INPUT_LIMITS.lineLength + 1)}"\n`)).toBe(
      'x.csv:line 2: the line is 1,048,583 characters long, more than the 1,048,576 dbwave reads',
    );
  });

  it('refuses stdin that is not CSV, naming stdin', async () => {
    const error = await importCsvSpreadsheet(
      { file: '-', out: 'out' },
      sink,
      dir,
      Readable.from(['name,class\n"db1,ix6\n']),
    ).catch((caught: unknown) => caught);
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect((error as Error).message).toBe(
      'stdin:line 2: name: the quoted field that starts on this line is never closed (a missing ")',
    );
  });
});
