import { spawn, spawnSync } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeFleetFiles } from '../../../scripts/bench/fleet-files.js';
import { checkPlanFile } from '../../../src/app/check-plan-file.js';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { showPlanFile } from '../../../src/app/show-plan-file.js';
import { ExitStatus, exitStatusFor } from '../../../src/core/errors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the real CLI from source, the way a user would (through tsx). */
function dbwave(
  args: readonly string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, cliArguments(args), {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, DBWAVE_DEBUG: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** node's arguments that run the CLI from source with `args`. */
function cliArguments(args: readonly string[]): string[] {
  // tsx is resolved from the repository: the command runs in a temporary folder.
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  return ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts'), ...args];
}

/**
 * The CLI with a reader of stdout that goes away early, as `| head -1` does: its exit status and
 * what it wrote on stderr.
 */
function dbwaveReadByHead(
  args: readonly string[],
  cwd: string,
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, cliArguments(args), {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DBWAVE_DEBUG: '' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  // Gone before the first write: the pipe then holds nothing for it, whatever the timing.
  child.stdout.destroy();
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

/** Streams that keep what a command writes, for the assertions. */
function capture() {
  const written = { out: '', err: '' };
  return {
    streams: {
      stdout: {
        write: (text: string): boolean => {
          written.out += text;
          return true;
        },
      },
      stderr: {
        write: (text: string): boolean => {
          written.err += text;
          return true;
        },
      },
    },
    out: () => written.out,
    err: () => written.err,
  };
}

describe('dbwave plan, check and show on a copy of the source case', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-cli-'));
    await cp(join(ROOT, 'waves', 'mysql-5.1.58.yaml'), join(dir, 'waves', 'mysql-5.1.58.yaml'), {
      recursive: true,
    });
    await cp(join(ROOT, 'hardware-classes'), join(dir, 'hardware-classes'), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plan writes waves/<campaign>.plan.yaml beside the campaign and warns about a tight day on stderr', async () => {
    const io = capture();
    await expect(planCampaign({ campaign: 'waves/mysql-5.1.58.yaml' }, io.streams, dir)).resolves.toBe(
      ExitStatus.Ok,
    );
    expect(io.out()).toBe(
      'wrote waves/mysql-5.1.58.plan.yaml: 3 waves, 130 servers, 3 classes in every wave\n',
    );
    expect(io.err()).toMatch(/^dbwave: warning: waves\/mysql-5\.1\.58\.yaml: wave 2, 2011-09-22: 50 servers/);
    const plan = parse(await readFile(join(dir, 'waves', 'mysql-5.1.58.plan.yaml'), 'utf8'));
    expect(plan.campaignFile).toBe('mysql-5.1.58.yaml');
  });

  it('plan writes the same plan as the committed one', async () => {
    const committed = await readFile(join(ROOT, 'waves', 'mysql-5.1.58.plan.yaml'), 'utf8');
    expect(await readFile(join(dir, 'waves', 'mysql-5.1.58.plan.yaml'), 'utf8')).toBe(committed);
  });

  it('plan --json prints the plan on stdout with servers in execution order', async () => {
    const io = capture();
    await planCampaign(
      { campaign: 'waves/mysql-5.1.58.yaml', json: true, out: 'elsewhere.plan.yaml' },
      io.streams,
      dir,
    );
    const printed = JSON.parse(io.out());
    expect(Object.keys(printed)).toEqual(expect.arrayContaining(['campaign', 'timezone', 'waves']));
    expect(printed.waves[0]).toMatchObject({
      index: 1,
      days: [
        {
          date: '2011-09-20',
          windowStart: '2011-09-20T09:00:00-07:00',
          windowEnd: '2011-09-20T18:00:00-07:00',
        },
      ],
    });
    expect(Object.keys(printed.waves[0].servers[0])).toEqual(['name', 'class', 'date']);
    expect(printed.campaignFile).toBe('waves/mysql-5.1.58.yaml');
  });

  it('plan refuses an --out folder that does not exist as a usage error (exit 2)', async () => {
    const error = await planCampaign(
      { campaign: 'waves/mysql-5.1.58.yaml', out: 'no/such/folder/x.plan.yaml' },
      capture().streams,
      dir,
    ).catch((caught: unknown) => caught);
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect((error as Error).message).toBe('cannot write the plan to no/such/folder/x.plan.yaml: ENOENT');
  });

  it('check passes the plan it wrote', async () => {
    const io = capture();
    await expect(checkPlanFile({ plan: 'waves/mysql-5.1.58.plan.yaml' }, io.streams, dir)).resolves.toBe(
      ExitStatus.Ok,
    );
    expect(io.out()).toMatch(/ok: 3 waves, 130 servers/);
  });

  it('check lists every violation of an edited plan with its line, and exits 1', async () => {
    const path = join(dir, 'edited.plan.yaml');
    const text = await readFile(join(dir, 'waves', 'mysql-5.1.58.plan.yaml'), 'utf8');
    const edited = text
      .replace('campaignFile: mysql-5.1.58.yaml', 'campaignFile: waves/mysql-5.1.58.yaml')
      .replace(/date: 2011-09-20 \}/, 'date: 2011-09-21 }')
      .replace(/\n {6}- \{ name: [\w-]+, class: [\w-]+, date: 2011-09-22 \}/, '');
    await writeFile(path, edited);
    const io = capture();
    await expect(checkPlanFile({ plan: 'edited.plan.yaml' }, io.streams, dir)).resolves.toBe(
      ExitStatus.Unhealthy,
    );
    const lines = io.out().trim().split('\n');
    expect(lines.at(-1)).toBe('edited.plan.yaml: 2 violations: this plan must not run');
    expect(lines[0]).toMatch(
      /^edited\.plan\.yaml:line \d+: waves\.0\.servers\.0\.date: [\w-]+ runs on 2011-09-21, which is not a day of wave 1$/,
    );
    expect(lines[1]).toMatch(/^edited\.plan\.yaml:line \d+: waves: [\w-]+ \(class [\w-]+\) is in no wave$/);
  });

  it('check --json gives the same verdict as data: ok and counts, or every violation with file, line and key', async () => {
    const good = capture();
    await expect(
      checkPlanFile({ plan: 'waves/mysql-5.1.58.plan.yaml', json: true }, good.streams, dir),
    ).resolves.toBe(ExitStatus.Ok);
    expect(JSON.parse(good.out())).toMatchObject({
      plan: 'waves/mysql-5.1.58.plan.yaml',
      ok: true,
      waves: 3,
      servers: 130,
      violations: [],
    });
    expect(good.err()).toBe('');

    const bad = capture();
    await expect(checkPlanFile({ plan: 'edited.plan.yaml', json: true }, bad.streams, dir)).resolves.toBe(
      ExitStatus.Unhealthy,
    );
    const printed = JSON.parse(bad.out());
    expect(printed.ok).toBe(false);
    expect(printed.violations).toHaveLength(2);
    expect(printed.violations[0]).toMatchObject({
      file: 'edited.plan.yaml',
      key: 'waves.0.servers.0.date',
      line: expect.any(Number),
    });
    expect(
      printed.warnings.some((warning: string) => warning.includes('every day of this plan is in the past')),
    ).toBe(true);
  });

  it('show prints a table per wave with the classes, counts and capacity', async () => {
    const io = capture();
    await showPlanFile({ plan: 'waves/mysql-5.1.58.plan.yaml' }, io.streams, dir);
    const text = io.out();
    expect(text).toMatch(
      /^Campaign mysql-5\.1\.58 \(America\/Los_Angeles\)\nupgrade 5\.1\.44 -> 5\.1\.58; point of no return: none/,
    );
    expect(text).toContain('Wave 1: first day: 30 servers');
    expect(text).toMatch(/2011-09-22 .* 09:00-18:00 -07:00 .* 50 .* tight/);
    expect(text).toContain('ix-6drive-phx-old');
  });

  it('show --json gives each day its capacity estimate', async () => {
    const io = capture();
    await showPlanFile({ plan: 'waves/mysql-5.1.58.plan.yaml', json: true }, io.streams, dir);
    const shown = JSON.parse(io.out());
    expect(shown.waves[2].days.map((day: { capacity: { servers: number } }) => day.capacity.servers)).toEqual(
      [17, 17, 16],
    );
  });
});

// Each test starts the CLI as whole processes, several times: on a loaded machine each takes seconds.
describe('the dbwave command line', { timeout: 120_000 }, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-cli-spawn-'));
    await cp(join(ROOT, 'test', 'fixtures', 'bad-inputs', 'base'), dir, { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has --help on plan, check and show', () => {
    for (const command of ['plan', 'check', 'show']) {
      const result = dbwave([command, '--help'], dir);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`dbwave ${command} <`);
    }
  });

  it('exits 2 with one line per problem and no stack trace, and writes nothing', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      (await readFile(join(dir, 'campaign.yaml'), 'utf8')).replace('size: 4', 'size: 99'),
    );
    const result = dbwave(['plan', 'bad.yaml', '--out', 'never.plan.yaml'], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'dbwave: bad.yaml:line 8: waves: the waves ask for 104 servers, but the fleet holds 15\n',
    );
    await expect(access(join(dir, 'never.plan.yaml'))).rejects.toThrow();
  });

  it('exits 0 after planning, 0 after checking, and 2 when the plan file is not YAML', async () => {
    expect(dbwave(['plan', 'campaign.yaml'], dir).status).toBe(0);
    expect(dbwave(['check', 'lab-upgrade.plan.yaml'], dir).status).toBe(0);
    await writeFile(join(dir, 'broken.plan.yaml'), 'campaign: [\n');
    const broken = dbwave(['check', 'broken.plan.yaml'], dir);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^dbwave: broken\.plan\.yaml:line \d: YAML syntax error/);
  });

  it('stops writing when its reader goes away (| head) and ends with its own status, no stack trace', async () => {
    // 1,000 servers: `plan --json` writes about 120 KB, enough to fail with EPIPE.
    const fleet = await writeFleetFiles(join(dir, 'large'), 1_000);
    const args = ['plan', fleet.campaignFile, '--out', join(fleet.dir, 'head.plan.yaml'), '--json'];
    const whole = dbwave(args, fleet.dir);
    expect(whole.stdout.length).toBeGreaterThan(100_000);
    const cut = await dbwaveReadByHead(args, fleet.dir);
    expect(cut.stderr).not.toMatch(/EPIPE|node:events|\n\s+at /);
    expect(cut.status).toBe(whole.status);
  });
});
