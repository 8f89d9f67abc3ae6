import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportWave } from '../../../src/app/report-wave.js';
import { rollbackWave } from '../../../src/app/rollback-wave.js';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { showStatus } from '../../../src/app/show-status.js';
import { exitStatusFor } from '../../../src/core/errors.js';
import { parseJournalRecord, type WaveRecord } from '../../../src/engine/journal/journal-record.js';
import { WaveOrderError } from '../../../src/engine/wave/wave-order-error.js';
import { plannedCampaign, services } from './fakes/cli-harness.js';

async function waveRecords(dir: string): Promise<WaveRecord[]> {
  const text = await readFile(join(dir, '.dbwave', 'test', 'journal.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => parseJournalRecord(JSON.parse(line)))
    .filter((record): record is WaveRecord => 'kind' in record && record.kind === 'wave');
}

const wave2 = { wave: 2, yes: true, ignoreDate: true } as const;

describe('dbwave run in wave order', () => {
  it('refuses wave 2 while wave 1 never ran, with the reason and the ways out, touching nothing', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    const refusal = await runWaveCommand({ plan, ...wave2 }, s).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'WAVE_ORDER' });
    expect(exitStatusFor(refusal)).toBe(1);
    const message = (refusal as Error).message;
    expect(message).toContain('wave 1 has never run');
    expect(message).toContain(`dbwave run ${plan} --wave 1`);
    expect(message).toContain('--override-order --reason');
    expect(fleet.hosts.size).toBe(0);
  });

  it('refuses before asking the operator: nobody confirms a wave that will not run', async () => {
    const { dir, plan } = await plannedCampaign();
    let asked = false;
    const { services: s } = services(dir, {
      interactive: true,
      confirm: async () => {
        asked = true;
        return true;
      },
    });
    await expect(runWaveCommand({ plan, wave: 2, ignoreDate: true }, s)).rejects.toMatchObject({
      code: 'WAVE_ORDER',
    });
    expect(asked).toBe(false);
  });

  it('runs wave 2 once wave 1 is done (a campaign without soak points)', async () => {
    const { dir, plan } = await plannedCampaign(['soak: {points: []}']);
    const { services: s } = services(dir);
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(0);
    expect(await runWaveCommand({ plan, ...wave2 }, s)).toBe(0);
    expect((await waveRecords(dir)).some((record) => record.orderOverride !== undefined)).toBe(false);
  });

  it('refuses wave 2 while wave 1 has not passed its soak, saying when each gating point is due', async () => {
    const { dir, plan } = await plannedCampaign(['soak: {points: [1h, 4h, 24h], gating: [1h, 4h]}']);
    const { services: s } = services(dir);
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(0);
    const refusal = await runWaveCommand({ plan, ...wave2 }, s).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WaveOrderError);
    expect(exitStatusFor(refusal)).toBe(1);
    expect(String((refusal as Error).message)).toMatch(
      /wave 1 has not passed its soak yet: \+1h due \S+, \+4h due \S+\n/,
    );
  });

  it('refuses wave 2 while a server of wave 1 needs a person', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir, {
      hooks: { analysisGates: async () => ({ verdict: 'pause', reason: 'innodb inconclusive' }) },
    });
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(1);
    await expect(runWaveCommand({ plan, ...wave2 }, s)).rejects.toThrow(/server\(s\) that need a person: db/);
  });

  it('needs a reason to override the order: --override-order alone is a usage error (exit 2)', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, fleet } = services(dir);
    for (const reason of [undefined, '', '   ']) {
      const refusal = await runWaveCommand({ plan, ...wave2, overrideOrder: true, reason }, s).catch(
        (error: unknown) => error,
      );
      expect(refusal).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/needs --reason/) });
      expect(exitStatusFor(refusal)).toBe(2);
    }
    await expect(runWaveCommand({ plan, ...wave2, reason: 'why' }, s)).rejects.toMatchObject({
      code: 'USAGE',
      message: '--reason goes with --override-order',
    });
    expect(fleet.hosts.size).toBe(0);
  });

  it('runs out of order with --override-order --reason, journals who, when and why, and shows it in every report and status', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s, out } = services(dir);
    const reason = 'wave 1 servers are retired this week';
    expect(await runWaveCommand({ plan, ...wave2, overrideOrder: true, reason }, s)).toBe(0);
    expect(out.join('')).toContain(`Wave 2 runs OUT OF ORDER (--override-order: ${reason})`);
    const started = (await waveRecords(dir)).find((record) => record.event === 'started');
    expect(started).toMatchObject({
      wave: 2,
      operator: { user: 'dba', host: 'ops-1' },
      orderOverride: { reason, refusals: ['wave 1 has never run'] },
    });

    for (const format of ['md', 'html'] as const) {
      out.length = 0;
      expect(await reportWave({ plan, wave: 2, format }, s)).toBe(0);
      expect(out.join('')).toMatch(
        /Run OUT OF ORDER \(--override-order\) by dba@ops-1 at .*wave 1 servers are retired/,
      );
    }
    out.length = 0;
    expect(await reportWave({ plan, wave: 2, json: true }, s)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({
      orderOverride: { by: { user: 'dba', host: 'ops-1' }, reason, refusals: ['wave 1 has never run'] },
    });
    out.length = 0;
    expect(await showStatus({ plan, wave: 2 }, s)).toBe(0);
    expect(out.join('')).toContain(`RUN OUT OF ORDER: "${reason}"`);
    expect(out.join('')).toContain('Run OUT OF ORDER (--override-order) by dba@ops-1');
  });

  it('resumes a wave begun under an override without asking for it again', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir);
    const halt = new AbortController();
    halt.abort(new Error('halted by the operator'));
    const first = services(dir, { halt: halt.signal });
    await runWaveCommand({ plan, ...wave2, overrideOrder: true, reason: 'tested alone' }, first.services);
    expect(await runWaveCommand({ plan, ...wave2 }, s)).toBe(0);
    const records = await waveRecords(dir);
    expect(records.map((record) => record.event)).toContain('resumed');
  });

  it('never blocks a rollback of a wave, whatever the wave before it', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir);
    expect(await runWaveCommand({ plan, ...wave2, overrideOrder: true, reason: 'alone' }, s)).toBe(0);
    expect(await rollbackWave({ plan, wave: 2, yes: true, ignoreDate: true }, s)).toBe(0);
  });
});
