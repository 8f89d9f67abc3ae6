import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WaveRecord } from '../../../src/engine/journal/journal-record.js';
import { loadFleet } from '../fleet/fleet-fixture.js';
import { type EngineCampaign, engineCampaign, journalOf, resetFleet, startDbwave } from './engine-fleet.js';

/**
 * Waves run in order, with the real CLI on the fleet: wave 2 is refused while wave 1 has never
 * run, runs with --override-order --reason, and status and the report say so afterwards.
 */
describe('the wave order on the local fleet', () => {
  const fleet = loadFleet();
  let campaign: EngineCampaign;
  beforeAll(async () => {
    await resetFleet(fleet);
    campaign = await engineCampaign('wave-order', {
      // One server per class in wave 1, the rest in wave 2 (the suite's fleet has 6 servers, 2 per
      // class); the InnoDB comparison is not what this test is about.
      waves: [
        { date: '2026-11-23', size: 3 },
        { date: '2026-11-24', size: 'rest' },
      ],
      gates: { innodb: false },
    });
  });
  afterAll(async () => {
    await resetFleet(fleet);
  });

  it('refuses wave 2 while wave 1 never ran, runs it with an override, and shows the override', async () => {
    const wave2 = ['run', campaign.planFile, '--wave', '2', '--yes', '--ignore-date'];
    const refused = await startDbwave(wave2).done;
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('wave 2 does not start while the wave before it is not done');
    expect(refused.stderr).toContain('wave 1 has never run');
    expect(refused.stderr).toContain('--override-order --reason');
    expect((await journalOf(campaign)).records).toEqual([]);

    const noReason = await startDbwave([...wave2, '--override-order']).done;
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--override-order needs --reason');

    const reason = 'wave 1 hosts are being re-racked; wave 2 goes first';
    const overridden = await startDbwave([...wave2, '--override-order', '--reason', reason]).done;
    expect(overridden.code, `${overridden.stdout}\n${overridden.stderr}`).toBe(0);
    expect(overridden.stdout).toContain('Wave 2 runs OUT OF ORDER');
    const started = (await journalOf(campaign)).records.find(
      (record): record is WaveRecord => record.kind === 'wave' && record.event === 'started',
    );
    expect(started).toMatchObject({ wave: 2, orderOverride: { reason, refusals: ['wave 1 has never run'] } });
    expect(started?.operator?.user).toEqual(expect.any(String));

    const status = await startDbwave(['status', campaign.planFile, '--wave', '2']).done;
    expect(status.stdout).toContain(`RUN OUT OF ORDER: "${reason}"`);
    expect(status.stdout).toMatch(/Run OUT OF ORDER \(--override-order\) by \S+@\S+ at /);
    const report = await startDbwave(['report', campaign.planFile, '--wave', '2', '--json']).done;
    expect(JSON.parse(report.stdout)).toMatchObject({ orderOverride: { reason } });
  });
});
