import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { INPUT_LIMITS } from '../../../src/inventory/input-limits.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { CORPUS } from '../cli/bad-input-case.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbwave-hostile-'));
  await cp(join(CORPUS, 'base'), dir, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function inputError(load: Promise<unknown>): Promise<InputError> {
  const error = await load.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const serverCount = (classes: readonly { servers: readonly unknown[] }[]): number =>
  classes.reduce((sum, hardwareClass) => sum + hardwareClass.servers.length, 0);

describe('the fleet folder', () => {
  it('follows a class file that is a symbolic link instead of dropping its servers', async () => {
    const all = serverCount((await loadInventory('campaign.yaml', { cwd: dir })).classes);
    await rename(join(dir, 'fleet', 'beta.yaml'), join(dir, 'beta-elsewhere.yaml'));
    await symlink(join(dir, 'beta-elsewhere.yaml'), join(dir, 'fleet', 'beta.yaml'));
    const inventory = await loadInventory('campaign.yaml', { cwd: dir });
    expect(serverCount(inventory.classes)).toBe(all);
    expect(inventory.classes.map((hardwareClass) => hardwareClass.id)).toContain('beta');
  });

  it('refuses a symbolic link loop in the folder, naming it', async () => {
    await symlink('loop.yaml', join(dir, 'fleet', 'loop.yaml'));
    const error = await inputError(loadInventory('campaign.yaml', { cwd: dir }));
    expect(error.message).toMatch(/campaign\.yaml:line 2: fleet: .*loop\.yaml is a symbolic link loop/);
  });

  it('refuses a class file link that points at nothing', async () => {
    await symlink('missing.yaml', join(dir, 'fleet', 'delta.yaml'));
    const error = await inputError(loadInventory('campaign.yaml', { cwd: dir }));
    expect(error.message).toMatch(/delta\.yaml is a symbolic link to nothing/);
  });
});

describe('YAML aliases', () => {
  it('accepts one anchor used 150 times', async () => {
    const servers = Array.from({ length: 150 }, (_, i) => {
      const vars = i === 0 ? '&v { svc: mysql }' : '*v';
      return `  - { name: a${i}, host: a${i}.example.net, vars: ${vars} }`;
    });
    const text = await readFile(join(dir, 'fleet', 'alpha.yaml'), 'utf8');
    await writeFile(
      join(dir, 'fleet', 'alpha.yaml'),
      text.replace(/servers:[\s\S]*/, `servers:\n${servers.join('\n')}\n`),
    );
    const inventory = await loadInventory('campaign.yaml', { cwd: dir });
    const alpha = inventory.classes.find((hardwareClass) => hardwareClass.id === 'alpha');
    expect(alpha?.servers).toHaveLength(150);
    expect(alpha?.servers.at(-1)?.vars).toEqual({ svc: 'mysql' });
  });

  it('refuses a "billion laughs" file with a clear message, not an internal error', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    await writeFile(join(dir, 'fleet', 'alpha.yaml'), `${levels.join('\n')}\n`);
    const error = await inputError(loadInventory('campaign.yaml', { cwd: dir }));
    expect(error.message).toMatch(/fleet\/alpha\.yaml: .*YAML aliases expand past 10,000 nodes/);
  });
});

describe('files that are not small regular files', () => {
  it('refuses a FIFO as the campaign at once instead of waiting for a writer', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    const error = await inputError(loadInventory('fifo.yaml', { cwd: dir }));
    expect(error.message).toBe(
      'fifo.yaml: cannot read the file: it is a FIFO (named pipe), not a regular file',
    );
  });

  it("refuses a device as the plan's campaign file without reading it", async () => {
    const day =
      '{ date: 2011-09-20, windowStart: "2011-09-20T09:00:00-07:00", windowEnd: "2011-09-20T18:00:00-07:00" }';
    const wave = `{ index: 1, days: [${day}], servers: [] }`;
    await writeFile(
      join(dir, 'x.plan.yaml'),
      `campaign: lab-upgrade\ntimezone: UTC\ncampaignFile: /dev/zero\nwaves: [${wave}]\n`,
    );
    const error = await inputError(loadPlan('x.plan.yaml', { cwd: dir }));
    expect(error.message).toContain('/dev/zero: cannot read the file: it is a device, not a regular file');
  });

  it('refuses a file over the size limit', async () => {
    await writeFile(join(dir, 'fleet', 'alpha.yaml'), Buffer.alloc(INPUT_LIMITS.fileBytes + 10, 0x23));
    const error = await inputError(loadInventory('campaign.yaml', { cwd: dir }));
    expect(error.message).toMatch(/fleet\/alpha\.yaml: the file is larger than 32 MiB/);
  });

  it('refuses a line longer than the line bound before parsing the file', async () => {
    const text = await readFile(join(dir, 'fleet', 'alpha.yaml'), 'utf8');
    await writeFile(
      join(dir, 'fleet', 'alpha.yaml'),
      text.replace('description: "alpha class"', `description: "${'x'.repeat(INPUT_LIMITS.lineLength)}"`),
    );
    const error = await inputError(loadInventory('campaign.yaml', { cwd: dir }));
    expect(error.message).toBe(
      'fleet/alpha.yaml:line 2: the line is 1,048,591 characters long, more than the 1,048,576 dbwave reads',
    );
  });

  it('refuses an overlong string, naming its key and line', async () => {
    const text = await readFile(join(dir, 'fleet', 'alpha.yaml'), 'utf8');
    await writeFile(
      join(dir, 'fleet', 'alpha.yaml'),
      text.replace(
        'description: "alpha class"',
        `description: "${'x'.repeat(INPUT_LIMITS.stringLength + 1)}"`,
      ),
    );
    const error = await inputError(loadInventory('campaign.yaml', { cwd: dir }));
    expect(error.message).toMatch(/fleet\/alpha\.yaml:line 2: description: a string of 65,537 characters/);
  });
});
