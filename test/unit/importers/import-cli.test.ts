import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbwave, importedCampaign } from './import-test-support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/ansible/', import.meta.url));

describe('dbwave import ansible on the command line', { timeout: 120_000 }, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-import-cli-'));
    await cp(FIXTURE, dir, { recursive: true });
    await writeFile(join(dir, 'campaign.yaml'), importedCampaign(4));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes class files that dbwave plan and dbwave check accept', () => {
    const imported = dbwave(['import', 'ansible', 'inventory.yaml'], dir);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('hardware-classes/phx_new.yaml: wrote: new class phx_new, 4 servers');
    expect(imported.stdout).toContain(
      'not imported: variable disk_layout (1 server): a list: vars hold text, numbers and booleans',
    );
    expect(imported.status).toBe(1); // the bastion is in no class, and listed
    const planned = dbwave(['plan', 'campaign.yaml'], dir);
    expect(planned.stderr).not.toMatch(/error/);
    expect(planned.stdout).toBe('wrote imported.plan.yaml: 2 waves, 13 servers, 3 classes in every wave\n');
    expect(planned.status).toBe(0);
    const checked = dbwave(['check', 'imported.plan.yaml'], dir);
    expect(checked.stdout).toContain('imported.plan.yaml: ok: 2 waves, 13 servers');
    expect(checked.status).toBe(0);
  });

  it('reads ansible-inventory --list JSON on stdin, and a bad one exits 2 with one line and no stack', () => {
    const bad = dbwave(['import', 'ansible', '-', '--out', 'other'], dir, '{"all": {"hosts": ["db1"]}}');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'dbwave: stdin:line 1: _meta.hostvars: is missing: this is not the JSON of ansible-inventory --list\n',
    );
    const list = JSON.stringify({
      _meta: { hostvars: { db1: { ansible_host: '10.0.0.1', hw: 'ix6' } } },
      all: { children: ['ungrouped'] },
      ungrouped: { hosts: ['db1'] },
    });
    const good = dbwave(['import', 'ansible', '-', '--group-by', 'hw', '--out', 'other'], dir, list);
    expect(good.stdout).toContain('other/ix6.yaml: wrote: new class ix6, 1 server');
    expect(good.status).toBe(0);
  });
});
