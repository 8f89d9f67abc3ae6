import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAnsibleInventory } from '../../../src/app/import-inventory.js';
import { ExitStatus, exitStatusFor } from '../../../src/core/errors.js';
import { sink } from './import-test-support.js';

describe('dbwave import ansible refuses a bad inventory: file, line, key, what is wrong; exit 2; nothing written', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-import-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [string, string, string, string][] = [
    [
      'an unknown section type',
      'x.ini',
      '[db]\ndb1\n[db:extra]\ndb2\n',
      'x.ini:line 3: section [db:extra] has an unknown type: extra (hosts, children or vars)',
    ],
    [
      'a child group defined nowhere',
      'x.ini',
      '[db:children]\nphx\n',
      'x.ini:line 2: phx: section [db:children] names a group that is never defined: phx',
    ],
    [
      'vars for a group defined nowhere',
      'x.ini',
      '[db:vars]\na=1\n',
      'x.ini:line 1: db: section [db:vars] is for a group that is never defined',
    ],
    [
      'a loop of groups',
      'x.ini',
      '[a:children]\nb\n[b:children]\na\n',
      'x.ini:line 4: a: adding group a as a child of b makes a loop of groups',
    ],
    [
      'a host line without key=value',
      'x.ini',
      '[db]\ndb1 mysql\n',
      'x.ini:line 2: expected key=value after the host pattern, got: mysql',
    ],
    [
      'an unclosed quote',
      'x.ini',
      '[db]\ndb1 a="b\n',
      'x.ini:line 2: cannot split the host line: no closing quotation',
    ],
    [
      'a range of unequal widths',
      'x.ini',
      '[db]\ndb[01:100]\n',
      'x.ini:line 2: host pattern "db[01:100]": range [01:100]: a zero-padded begin and its end must have the same width',
    ],
    [
      'a range past the host limit',
      'x.ini',
      '[db]\ndb[1:99999999]\n',
      'x.ini:line 2: host pattern "db[1:99999999]" names more than 100,001 hosts, more than dbwave imports',
    ],
    [
      'a port that is not a port',
      'x.ini',
      '[db]\ndb1 ansible_port=70000\n',
      'x.ini:line 2: ansible_port: 70000 (server db1) is not a valid sshPort: Too big: expected number to be <=65535',
    ],
    [
      'a role that is neither',
      'x.yaml',
      'db:\n  hosts:\n    db1:\n      dbwave_role: leader\n',
      'x.yaml:line 4: dbwave_role: "leader" (server db1) is not a valid role: Invalid option: expected one of "primary"|"replica"',
    ],
    [
      'a YAML syntax error',
      'x.yaml',
      'db:\n  hosts: [\n',
      'x.yaml:line 3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a hosts section that is a list',
      'x.yaml',
      'db:\n  hosts:\n    - db1\n',
      'x.yaml:line 2: db.hosts: must be a mapping, not object',
    ],
  ];
  it.each(cases)('%s', async (_, file, text, message) => {
    await writeFile(join(dir, file), text);
    const error = await importAnsibleInventory(
      { inventory: file, out: 'out' },
      sink,
      dir,
      Readable.from([]),
    ).catch((caught: unknown) => caught);
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect((error as Error).message).toBe(message);
    expect(await readdir(dir)).not.toContain('out');
  });

  it('refuses stdin that is not ansible-inventory --list JSON', async () => {
    const error = await importAnsibleInventory(
      { inventory: '-', out: 'out' },
      sink,
      dir,
      Readable.from(['{"all": {}}']),
    ).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      'stdin:line 1: _meta.hostvars: is missing: this is not the JSON of ansible-inventory --list',
    );
  });
});
