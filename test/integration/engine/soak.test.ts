import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import type { SoakRecord, SoakVerdictRecord } from '../../../src/engine/journal/journal-record.js';
import { loadFleet } from '../fleet/fleet-fixture.js';
import { type RunningLoad, startLoad } from '../gates/gates-fleet.js';
import {
  type EngineCampaign,
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
} from './engine-fleet.js';
import { pickLoneServer, slowBuildCampaign } from './slow-build-campaign.js';

/**
 * Soak on the local fleet under `npm run fleet -- load`, with the real CLI and soak points of
 * seconds: wave 1 runs, then the new build of one of its servers turns slow (the fleet fault
 * `small-buffer-pool`: its buffer pool shrinks to 6 MiB, the users' working set no longer fits
 * and reads go to disk, as in the canary bake's test), `dbwave soak` takes both points, the
 * upgraded server fails the comparison with its baseline and its same-class control (still on
 * the old build, in wave 2) on buffer_pool_reads, the report shows the time line, and `run
 * --wave 2` is refused with the rollback to run.
 */
describe('soak points on the local fleet under load', () => {
  const fleet = loadFleet();
  let campaign: EngineCampaign;
  let load: RunningLoad | undefined;
  let degraded = '';

  beforeAll(async () => {
    await resetFleet(fleet);
    load = startLoad(1200);
    degraded = await pickLoneServer(fleet);
    campaign = await engineCampaign(
      'soak',
      slowBuildCampaign({ soak: { points: ['5s', '15s'], tolerance: '10m' } }),
    );
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await resetFleet(fleet);
  }, 180_000);

  it('takes each point after the wave, fails the degraded server, shows the time line, refuses wave 2', async () => {
    const run = await runWave1(campaign);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    await injectFault(new FleetPaths(fleet.root), degraded, 'small-buffer-pool');

    const soak = await startDbwave(['soak', campaign.planFile, '--wave', '1']).done;
    expect(soak.stdout, soak.stderr).toContain('wave 1 soak +5s');
    expect(soak.stdout).toContain('wave 1 soak +15s');
    expect(soak.stdout).toContain(`dbwave rollback ${campaign.planFile} --wave 1 --server ${degraded}`);
    expect(soak.code, `${soak.stdout}\n${soak.stderr}`).toBe(1);

    const { records } = await journalOf(campaign);
    const points = records.filter((record): record is SoakRecord => record.kind === 'soak');
    expect(points.map((record) => [record.pointMs, record.event])).toEqual([
      [5_000, 'started'],
      [5_000, 'finished'],
      [15_000, 'started'],
      [15_000, 'finished'],
    ]);
    const verdicts = records.filter((record): record is SoakVerdictRecord => record.kind === 'soak-verdict');
    const degradedVerdicts = verdicts.filter((record) => record.server === degraded);
    expect(degradedVerdicts.map((record) => record.verdict)).toContain('fail');
    expect(degradedVerdicts.find((record) => record.verdict === 'fail')?.evidence).toContain(
      'buffer_pool_reads',
    );
    expect(new Set(verdicts.map((record) => record.server))).toEqual(
      new Set(campaign.wave1.map((server) => server.name)),
    );

    // A second soak finds every point taken: it takes none again.
    const again = await startDbwave(['soak', campaign.planFile, '--wave', '1']).done;
    expect(again.stdout).not.toContain('taking it');
    expect((await journalOf(campaign)).records.length).toBe(records.length);

    const markdown = await startDbwave(['report', campaign.planFile, '--wave', '1']).done;
    expect(markdown.stdout).toContain('## Soak');
    expect(markdown.stdout).toMatch(/\| Server +\| \+5s +\| \+15s +\|/);
    expect(markdown.stdout).toMatch(new RegExp(`\\| ${degraded} +\\| [a-z]+ +\\| [a-z]+ +\\|`));
    expect(markdown.stdout).toContain(`SOAK FAILED on ${degraded}`);
    const json = JSON.parse(
      (await startDbwave(['report', campaign.planFile, '--wave', '1', '--json']).done).stdout,
    );
    expect(
      json.soak.points.map((point: { point: string; state: string }) => [point.point, point.state]),
    ).toEqual([
      ['+5s', 'done'],
      ['+15s', 'done'],
    ]);
    expect(json.soak.failed).toEqual([degraded]);

    const status = await startDbwave(['status', campaign.planFile, '--wave', '1']).done;
    expect(status.stdout).toContain('Soak:');
    expect(status.stdout).toContain(`dbwave rollback ${campaign.planFile} --wave 1 --server ${degraded}`);

    const wave2 = await startDbwave(['run', campaign.planFile, '--wave', '2', '--yes', '--ignore-date']).done;
    expect(wave2.code, `${wave2.stdout}\n${wave2.stderr}`).toBe(1);
    expect(wave2.stderr).toContain(`wave 1 failed its soak: ${degraded}`);
    expect(wave2.stderr).toContain(`dbwave rollback ${campaign.planFile} --wave 1 --server ${degraded}`);
    expect(wave2.stderr).toContain('--override-order --reason');
  }, 900_000);
});
