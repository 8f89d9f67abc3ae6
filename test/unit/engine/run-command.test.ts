import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCampaign } from '../../../src/cli/commands/plan.js';
import { type RunServices, runWaveCommand } from '../../../src/cli/commands/run.js';
import { unlockCampaign } from '../../../src/cli/commands/unlock.js';
import { FakeClock } from './fakes/fake-clock.js';
import { FakeFleet, FROM, TO } from './fakes/fake-fleet.js';

const WAVE_DAY = '2026-11-24';

/** A campaign of four servers in two classes, planned by `dbwave plan`, in a fresh folder. */
async function plannedCampaign(): Promise<{ dir: string; plan: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'dbwave-run-'));
  await mkdir(join(dir, 'classes'));
  for (const [id, names] of [
    ['ix-6', ['db1', 'db2']],
    ['ix-24', ['db3', 'db4']],
  ] as const) {
    const servers = names
      .map(
        (name, index) =>
          `  - name: ${name}\n    host: 10.0.${id.length}.${index + 1}\n    errorLog: /var/log/${name}.err\n    dataDir: /var/lib/mysql`,
      )
      .join('\n');
    await writeFile(
      join(dir, 'classes', `${id}.yaml`),
      `id: ${id}\ndescription: test\ndatacenter: phx\ndrives: 6\nexpected:\n  shutdown: {p50: 5m, p95: 20m}\n  start: {p50: 1m, p95: 2m}\nservers:\n${servers}\n`,
    );
  }
  await writeFile(
    join(dir, 'campaign.yaml'),
    [
      'campaign: test',
      'fleet: classes',
      'timezone: UTC',
      `from: {version: "${FROM}"}`,
      `to: {version: "${TO}"}`,
      'window: {start: "02:00", end: "06:00"}',
      'waves:',
      `  - {date: "${WAVE_DAY}", size: 2}`,
      '  - {date: "2026-11-26", size: rest}',
      'concurrency: {wave: 2}',
      'commands:',
      '  stop: fake stop {{name}}',
      '  start: fake start {{name}}',
      '  running: fake running {{name}}',
      '  installedVersion: fake installed-version {{name}}',
      '  upgrade: fake upgrade {{name}}',
      '  rollback: fake rollback {{name}}',
      '',
    ].join('\n'),
  );
  const sink = { write: () => true };
  expect(await planCampaign({ campaign: 'campaign.yaml' }, { stdout: sink, stderr: sink }, dir)).toBe(0);
  return { dir, plan: 'test.plan.yaml' };
}

function services(dir: string, overrides: Partial<RunServices> = {}) {
  const out: string[] = [];
  const fleet = new FakeFleet();
  const clock = new FakeClock(Date.parse(`${WAVE_DAY}T03:00:00Z`));
  const value: RunServices = {
    streams: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => out.push(text) },
    },
    clock,
    cwd: dir,
    interactive: false,
    confirm: async () => true,
    identity: { user: 'dba', host: 'ops-1', pid: process.pid },
    // The command, not the gates: the fake fleet has no error log or InnoDB to judge.
    hooks: {},
    adapters: async () => ({
      connectors: fleet.connectors,
      maintenance: fleet.window,
      close: async () => undefined,
    }),
    ...overrides,
  };
  return { services: value, out, fleet, clock };
}

describe('dbwave run', () => {
  it('runs a wave inside its window and exits 0 when every server upgraded', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, out, fleet } = services(dir);
    const status = await runWaveCommand({ plan, wave: 1, yes: true }, s);
    expect(status).toBe(0);
    expect([...fleet.hosts.values()].map((host) => host.runningVersion)).toEqual([TO, TO]);
    expect(out.join('')).toMatch(/every server upgraded/);
    const journal = await readFile(join(dir, '.dbwave', 'test', 'journal.jsonl'), 'utf8');
    expect(journal.split('\n').filter(Boolean).length).toBeGreaterThan(40);
  });

  it('exits 1 when a server did not upgrade', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    const plannedFirst = (await readFile(join(dir, plan), 'utf8')).match(/name: (db\d)/)?.[1] ?? 'db1';
    fleet.host(plannedFirst).faults.startFailsOnNew = true;
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(1);
  });

  it('refuses to run without a terminal and without --yes, touching nothing', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    await expect(runWaveCommand({ plan, wave: 1 }, s)).rejects.toMatchObject({ code: 'USAGE' });
    expect(fleet.hosts.size).toBe(0);
  });

  it('asks on a terminal and does nothing when the operator says no', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet, out } = services(dir, { interactive: true, confirm: async () => false });
    expect(await runWaveCommand({ plan, wave: 1 }, s)).toBe(1);
    expect(fleet.hosts.size).toBe(0);
    expect(out.join('')).toMatch(/Wave 1 of test/);
  });

  it('refuses a wave before its day unless --ignore-date', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    await expect(runWaveCommand({ plan, wave: 2, yes: true }, s)).rejects.toThrow(
      /next window is 2026-11-26 02:00-06:00/,
    );
    expect(fleet.hosts.size).toBe(0);
    expect(await runWaveCommand({ plan, wave: 2, yes: true, ignoreDate: true }, s)).toBe(0);
  });

  it('refuses outside the day’s window', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir, { clock: new FakeClock(Date.parse(`${WAVE_DAY}T12:00:00Z`)) });
    await expect(runWaveCommand({ plan, wave: 1, yes: true }, s)).rejects.toThrow(/does not run now/);
  });

  it('prints every command of a dry run, even before the wave’s day, and connects to nothing', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, out, fleet } = services(dir);
    expect(await runWaveCommand({ plan, wave: 2, dryRun: true }, s)).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/fake upgrade 'db\d'/);
    expect(text).toMatch(/df -Pk -- '\/var\/lib\/mysql'/);
    expect(fleet.hosts.size).toBe(0);
  });

  it('refuses a second run while the first holds the lock', async () => {
    const { dir, plan } = await plannedCampaign();
    const first = services(dir);
    const second = services(dir, { identity: { user: 'eve', host: 'ops-1', pid: process.pid + 100_000 } });
    let refusal: Promise<unknown> | undefined;
    const window = first.fleet.window;
    const open = window.open.bind(window);
    window.open = async (server) => {
      refusal ??= runWaveCommand({ plan, wave: 1, yes: true }, second.services).catch(
        (error: unknown) => error,
      );
      await open(server);
    };
    await runWaveCommand({ plan, wave: 1, yes: true }, first.services);
    await expect(refusal).resolves.toMatchObject({ code: 'LOCKED' });
  });

  it('is unlocked by unlock --force and not without it', async () => {
    const { dir, plan } = await plannedCampaign();
    const stateDir = join(dir, '.dbwave', 'test');
    await mkdir(stateDir, { recursive: true });
    const at = new Date().toISOString();
    await writeFile(
      join(stateDir, 'lock.json'),
      JSON.stringify({ user: 'bob', host: 'elsewhere', pid: 1, started: at, heartbeat: at }),
    );
    const { services: s, out } = services(dir);
    await expect(unlockCampaign({ plan }, s)).rejects.toThrow(/add --force/);
    expect(await unlockCampaign({ plan, force: true }, s)).toBe(0);
    expect(out.join('')).toMatch(/removed the lock of bob@elsewhere/);
  });
});
