import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollbackWave } from '../../../src/app/rollback-wave.js';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { plannedCampaign, services } from './fakes/cli-harness.js';
import { FROM, TO } from './fakes/fake-versions.js';

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
