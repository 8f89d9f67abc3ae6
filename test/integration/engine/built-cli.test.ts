import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../scripts/fleet/exec.js';
import { REPO_ROOT } from '../../../scripts/fleet/fleet-paths.js';
import { codeCacheFile } from '../../../src/cli/code-cached-bundle.js';
import { cacheVerdictInFreshNode } from '../../support/code-cache-probe.js';
import { loadFleet, queryOne } from '../fleet/fleet-fixture.js';
import {
  BUILT_CLI,
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  SOURCE_CLI,
  startDbwave,
} from './engine-fleet.js';

/**
 * The CLI a DBA runs is the built one (`npm run build`: one CommonJS bundle started from V8's code
 * cache, scripts/bundle-cli.mjs), while every other test runs the source with tsx. Here the bundle
 * is built afresh from this source and must answer exactly as the source does, start from a cache
 * V8 accepts, and run a wave on the fleet: the commands that load ssh2 and mysql2 at run time.
 */

const EXAMPLE_CAMPAIGN = 'waves/mysql-5.1.58.yaml';
const EXAMPLE_PLAN = 'waves/mysql-5.1.58.plan.yaml';
const CSV_INVENTORY = 'test/unit/importers/fixtures/csv/servers.csv';
const ANSIBLE_INVENTORY = 'test/unit/importers/fixtures/ansible/inventory.ini';

function dbwave(cli: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [...cli, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeoutMs: 120_000,
  });
}

describe('the built CLI (dist/cli/main.js)', () => {
  const fleet = loadFleet();
  let work: string;

  beforeAll(async () => {
    const build = await run('npm', ['run', 'build'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    expect(build.code, build.stdout + build.stderr).toBe(0);
    work = await mkdtemp(join(tmpdir(), 'dbwave-built-cli-'));
    await resetFleet(fleet);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
    await resetFleet(fleet);
  });

  it('answers as the source does: output, errors and exit status', async () => {
    const invocations: { args: readonly string[]; env?: NodeJS.ProcessEnv }[] = [
      { args: ['--version'] },
      { args: ['--help'] },
      // yargs finds its translations from where it is installed, not from the bundle.
      { args: ['--help'], env: { LANG: 'de_DE.UTF-8' } },
      { args: ['run', '--help'] },
      { args: ['check', EXAMPLE_PLAN] },
      { args: ['show', EXAMPLE_PLAN] },
      { args: ['show', EXAMPLE_PLAN, '--json'] },
      { args: ['checklist', EXAMPLE_PLAN, '--wave', '1'] },
      { args: ['run', EXAMPLE_PLAN, '--wave', '1', '--dry-run', '--ignore-date'] },
      // The importers require yaml on demand, resolved from where the bundle is.
      { args: ['import', 'csv', CSV_INVENTORY, '--out', join(work, 'classes'), '--dry-run'] },
      { args: ['import', 'ansible', ANSIBLE_INVENTORY, '--out', join(work, 'classes'), '--dry-run'] },
      { args: ['plan', 'waves/no-such-campaign.yaml'] },
      { args: ['frobnicate'] },
    ];
    for (const { args, env } of invocations) {
      const source = await dbwave(SOURCE_CLI, args, env);
      const built = await dbwave(BUILT_CLI, args, env);
      expect(built, `dbwave ${args.join(' ')}`).toEqual(source);
    }
    const sourcePlan = join(work, 'source.plan.yaml');
    const builtPlan = join(work, 'built.plan.yaml');
    const fromSource = await dbwave(SOURCE_CLI, ['plan', EXAMPLE_CAMPAIGN, '--out', sourcePlan]);
    const fromBuilt = await dbwave(BUILT_CLI, ['plan', EXAMPLE_CAMPAIGN, '--out', builtPlan]);
    expect(fromBuilt.code, fromBuilt.stderr).toBe(0);
    expect(fromBuilt.stderr).toBe(fromSource.stderr);
    // Each plan names itself in its header (`dbwave check PATH`): the rest is byte for byte.
    const sameFile = (text: string) => text.replaceAll(builtPlan, sourcePlan);
    expect(sameFile(fromBuilt.stdout)).toBe(fromSource.stdout);
    expect(sameFile(await readFile(builtPlan, 'utf8'))).toBe(await readFile(sourcePlan, 'utf8'));
  });

  it('starts from a code cache that this node accepts', () => {
    const bundle = join(REPO_ROOT, 'dist', 'cli', 'dbwave.cjs');
    const starter = pathToFileURL(join(REPO_ROOT, 'dist', 'cli', 'code-cached-bundle.js')).href;
    const verdict = cacheVerdictInFreshNode(starter, bundle, codeCacheFile(bundle), { cwd: REPO_ROOT });
    expect(verdict.stderr).toBe('');
    expect(verdict.accepted).toBe(true);
  });

  it('runs a wave on the fleet and reports it', async () => {
    const campaign = await engineCampaign('built-cli');
    const result = await runWave1(campaign, [], BUILT_CLI);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const { replay } = await journalOf(campaign);
    for (const target of campaign.wave1) {
      const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
      expect(String(version.v)).toMatch(new RegExp(`^${fleet.versions.to.replaceAll('.', '\\.')}`));
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
    }
    const report = await startDbwave(['report', campaign.planFile, '--wave', '1', '--json'], BUILT_CLI).done;
    expect(report.code, report.stderr).toBe(0);
    const servers = (JSON.parse(report.stdout) as { servers: { name: string }[] }).servers;
    expect(servers.map((server) => server.name).sort()).toEqual(
      campaign.wave1.map((target) => target.name).sort(),
    );
    const status = await startDbwave(['status', campaign.planFile], BUILT_CLI).done;
    expect(status.code, status.stderr).toBe(0);
  });
});
