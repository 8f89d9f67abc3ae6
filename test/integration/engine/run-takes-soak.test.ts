import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoakRecord, WaveRecord } from '../../../src/engine/journal/journal-record.js';
import { loadFleet } from '../fleet/fleet-fixture.js';
import {
  type EngineCampaign,
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
} from './engine-fleet.js';

/**
 * A `dbwave run` holds the campaign while its wave runs, so the soak points of an earlier wave
 * that come due meanwhile are its to take: wave 1's +5s point (not gating, so wave 2 may start at
 * once) falls due while wave 2 runs, and the run takes it, once; a `dbwave soak` after it finds
 * nothing left to take.
 */
describe('a run takes the soak points that come due while it runs', () => {
  const fleet = loadFleet();
  let campaign: EngineCampaign;

  beforeAll(async () => {
    await resetFleet(fleet);
    campaign = await engineCampaign('run-soak', {
      waves: [
        { date: '2026-11-23', size: 3 },
        { date: '2026-11-24', size: 'rest' },
      ],
      soak: { points: ['5s'], gating: [], tolerance: '10m' },
    });
  }, 120_000);

  afterAll(async () => {
    await resetFleet(fleet);
  }, 180_000);

  it("takes wave 1's due point during wave 2's run, before wave 2 ends, and never twice", async () => {
    const wave1 = await runWave1(campaign);
    expect(wave1.code, `${wave1.stdout}\n${wave1.stderr}`).toBe(0);
    const wave2 = await startDbwave(['run', campaign.planFile, '--wave', '2', '--yes', '--ignore-date']).done;
    expect(wave2.code, `${wave2.stdout}\n${wave2.stderr}`).toBe(0);
    expect(wave2.stdout).toContain('wave 1 soak +5s: taking it');

    const { records } = await journalOf(campaign);
    const soak = records.filter((record): record is SoakRecord => record.kind === 'soak');
    expect(soak.map((record) => [record.wave, record.pointMs, record.event])).toEqual([
      [1, 5_000, 'started'],
      [1, 5_000, 'finished'],
    ]);
    const wave2Start = records.find(
      (record): record is WaveRecord =>
        record.kind === 'wave' && record.wave === 2 && record.event === 'started',
    );
    const wave2End = records.find(
      (record): record is WaveRecord =>
        record.kind === 'wave' && record.wave === 2 && record.event === 'finished',
    );
    expect(wave2Start?.operator?.pid).toBeDefined();
    // Taken by the run of wave 2 (its process), inside that run.
    expect(soak[0]?.operator?.pid).toBe(wave2Start?.operator?.pid);
    expect(soak[0]?.seq).toBeGreaterThan(wave2Start?.seq ?? Number.POSITIVE_INFINITY);
    expect(soak[1]?.seq).toBeLessThan(wave2End?.seq ?? 0);

    const again = await startDbwave(['soak', campaign.planFile, '--wave', '1']).done;
    expect(again.code, `${again.stdout}\n${again.stderr}`).not.toBe(2);
    expect(again.stdout).not.toContain('taking it');
    expect((await journalOf(campaign)).records.filter((record) => record.kind === 'soak')).toHaveLength(2);
  }, 900_000);
});
