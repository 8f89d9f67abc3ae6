import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCampaign } from '../../../src/cli/commands/plan.js';
import { rollbackWave } from '../../../src/cli/commands/rollback.js';
import { type RunServices, runWaveCommand } from '../../../src/cli/commands/run.js';
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

describe('dbwave rollback', () => {
  it('rolls every upgraded server of the wave back and exits 0 when all are RolledBack', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, out, fleet } = services(dir);
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(0);
    expect([...fleet.hosts.values()].map((host) => host.runningVersion)).toEqual([TO, TO]);
    expect(await rollbackWave({ plan, wave: 1, yes: true }, s)).toBe(0);
    expect([...fleet.hosts.values()].map((host) => host.runningVersion)).toEqual([FROM, FROM]);
    expect(out.join('')).toMatch(/every server rolled back/);
    const journal = await readFile(join(dir, '.dbwave', 'test', 'journal.jsonl'), 'utf8');
    expect(journal).toMatch(/"action":"rollback"/);
  });

  it('rolls back only the server named', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    await runWaveCommand({ plan, wave: 1, yes: true }, s);
    const [first, second] = [...fleet.hosts.keys()];
    expect(await rollbackWave({ plan, wave: 1, server: first, yes: true }, s)).toBe(0);
    expect(fleet.host(first ?? '').runningVersion).toBe(FROM);
    expect(fleet.host(second ?? '').runningVersion).toBe(TO);
  });

  it('refuses without a terminal and without --yes, touching nothing', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    await runWaveCommand({ plan, wave: 1, yes: true }, s);
    await expect(rollbackWave({ plan, wave: 1 }, s)).rejects.toMatchObject({ code: 'USAGE' });
    expect([...fleet.hosts.values()].map((host) => host.rollbacks)).toEqual([0, 0]);
  });

  it('refuses a server whose journal does not say it runs the new version', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir);
    const named = (await readFile(join(dir, plan), 'utf8')).match(/name: (db\d)/)?.[1] ?? 'db1';
    await expect(rollbackWave({ plan, wave: 1, server: named, yes: true }, s)).rejects.toThrow(
      /nothing to roll back/,
    );
  });

  it('asks on a terminal and does nothing when the operator says no', async () => {
    const { dir, plan } = await plannedCampaign();
    const first = services(dir);
    await runWaveCommand({ plan, wave: 1, yes: true }, first.services);
    const { services: s, out } = services(dir, {
      interactive: true,
      confirm: async () => false,
      adapters: first.services.adapters,
    });
    expect(await rollbackWave({ plan, wave: 1 }, s)).toBe(1);
    expect([...first.fleet.hosts.values()].map((host) => host.runningVersion)).toEqual([TO, TO]);
    expect(out.join('')).toMatch(/Roll back wave 1 of test/);
  });
});
