import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { planToYaml } from '../../../src/inventory/plan-yaml.js';
import { planWaves } from '../../../src/planner/plan-waves.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CAMPAIGN = join(ROOT, 'waves', 'mysql-5.1.58.yaml');

describe('plan files', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-plan-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writePlan = async (): Promise<string> => {
    const inventory = await loadInventory(CAMPAIGN);
    const plan = planWaves(inventory.classes, inventory.campaign, { campaignFile: relative(dir, CAMPAIGN) });
    const path = join(dir, 'plan.yaml');
    await writeFile(path, planToYaml(plan, ['a header']));
    return path;
  };

  it('reads back what the planner wrote, one line per server, with its campaign and fleet', async () => {
    const path = await writePlan();
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('# a header\n')).toBe(true);
    expect(text).toMatch(/^ {6}- \{ name: [\w-]+, class: [\w-]+, date: 2011-09-20 \}$/m);
    const loaded = await loadPlan(path);
    const inventory = await loadInventory(CAMPAIGN);
    const expected = planWaves(inventory.classes, inventory.campaign, {
      campaignFile: relative(dir, CAMPAIGN),
    });
    expect(loaded.plan.waves.map((wave) => wave.servers)).toEqual(expected.waves.map((wave) => wave.servers));
    expect(loaded.inventory.campaign.campaign).toBe('mysql-5.1.58');
    expect(loaded.locate(['waves', 0, 'servers', 0]).line).toBeGreaterThan(1);
  });

  it('names the line of a malformed server entry and of a typo in its keys', async () => {
    const path = await writePlan();
    const text = await readFile(path, 'utf8');
    const broken = text.replace(/\{ name: ([\w-]+), class/, '{ nmae: $1, class');
    await writeFile(path, broken);
    const line = broken.split('\n').findIndex((entry) => entry.includes('nmae')) + 1;
    const error = (await loadPlan(path).catch((caught: unknown) => caught)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.issues.map((issue) => [issue.key, issue.line, issue.message])).toEqual([
      ['waves.0.servers.0.name', line, 'is required'],
      ['waves.0.servers.0.nmae', line, 'is not a known key (a typo?)'],
    ]);
  });

  it('refuses a plan whose campaign file does not load, naming the plan key and the campaign problem', async () => {
    const path = join(dir, 'plan.yaml');
    await writeFile(
      path,
      'campaign: c\ntimezone: UTC\ncampaignFile: missing.yaml\nwaves:\n  - index: 1\n    days: [{ date: 2011-09-20, windowStart: "2011-09-20T09:00:00Z", windowEnd: "2011-09-20T17:00:00Z" }]\n    servers: []\n',
    );
    const error = (await loadPlan(path, { cwd: dir }).catch((caught: unknown) => caught)) as InputError;
    expect(error.message.split('\n')).toEqual([
      "plan.yaml:line 3: campaignFile: the plan's campaign file missing.yaml does not load",
      'missing.yaml: cannot read the file: no such file',
    ]);
  });
});
