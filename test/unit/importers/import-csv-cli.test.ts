import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbwave, importedCampaign } from './import-test-support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/csv/', import.meta.url));

describe('dbwave import csv on the command line', { timeout: 120_000 }, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-import-csv-cli-'));
    await cp(FIXTURE, dir, { recursive: true });
    await writeFile(join(dir, 'campaign.yaml'), importedCampaign(2));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes class files that dbwave plan and dbwave check accept', () => {
    const imported = dbwave(['import', 'csv', 'servers.csv'], dir);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('hardware-classes/phx_old.yaml: wrote: new class phx_old, 4 servers');
    expect(imported.stdout).toContain('  build.phx1 (servers.csv:10): has an empty Class cell: no class\n');
    expect(imported.status).toBe(1); // the build host has no class, and is listed
    const planned = dbwave(['plan', 'campaign.yaml'], dir);
    expect(planned.stderr).not.toMatch(/error/);
    expect(planned.stdout).toBe('wrote imported.plan.yaml: 2 waves, 7 servers, 2 classes in every wave\n');
    expect(planned.status).toBe(0);
    const checked = dbwave(['check', 'imported.plan.yaml'], dir);
    expect(checked.stdout).toContain('imported.plan.yaml: ok: 2 waves, 7 servers');
    expect(checked.status).toBe(0);
  });

  it('reads - from stdin, and a bad spreadsheet exits 2 with one line per problem and no stack', () => {
    const bad = dbwave(['import', 'csv', '-', '--out', 'other'], dir, 'name,class,ssh_port\ndb1,ix6,ssh\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'dbwave: stdin:line 2: ssh_port: "ssh" (server db1) is not a valid sshPort: Invalid input: expected number, received string\n',
    );
    const good = dbwave(
      ['import', 'csv', '-', '--group-by', 'hw', '--out', 'other'],
      dir,
      'name,hw\ndb1,ix6\n',
    );
    expect(good.stdout).toContain('other/ix6.yaml: wrote: new class ix6, 1 server');
    expect(good.status).toBe(0);
  });
});
