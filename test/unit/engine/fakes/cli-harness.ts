import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { planCampaign } from '../../../../src/app/plan-campaign.js';
import type { RunServices } from '../../../../src/app/run-services.js';
import { FakeClock } from './fake-clock.js';
import { FakeFleet } from './fake-fleet.js';
import { FROM, TO } from './fake-versions.js';

/** What the `run` and `rollback` command tests share: a planned campaign and fake services. */

export const WAVE_DAY = '2026-11-24';

/** A campaign of four servers in two classes, planned by `dbwave plan`, in a fresh folder. */
/** A planned two-wave campaign of four fake servers; `extra` lines are added to its campaign file. */
export async function plannedCampaign(extra: readonly string[] = []): Promise<{ dir: string; plan: string }> {
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
      ...extra,
      '',
    ].join('\n'),
  );
  const sink = { write: () => true };
  expect(await planCampaign({ campaign: 'campaign.yaml' }, { stdout: sink, stderr: sink }, dir)).toBe(0);
  return { dir, plan: 'test.plan.yaml' };
}

export function services(dir: string, overrides: Partial<RunServices> = {}) {
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
