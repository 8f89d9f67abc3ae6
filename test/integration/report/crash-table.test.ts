import { truncate } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import {
  type EngineCampaign,
  engineCampaign,
  resetFleet,
  runWave1,
  startDbwave,
} from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

interface CrashRow {
  server: string;
  before?: { crashes: number };
  sinceUpgrade?: { unplannedRestarts: number; samplings: number };
}

/**
 * "Did the upgrade end the crashes?" on the local fleet, through the real CLI: one server of wave
 * 1 crashes (`fleet fault crash`: SIGKILL, then a start with InnoDB crash recovery) before the
 * campaign, another after its upgrade; `dbwave run` reads the first from the error log at
 * precheck, a soak point's sampling sees the second restart (dbwave did not do it), and the
 * report's crash table shows each on its side.
 */
describe('the crash table of a wave report', () => {
  const fleet = loadFleet();
  const paths = new FleetPaths(fleet.root);
  let campaign: EngineCampaign;

  beforeAll(async () => {
    await resetFleet(fleet);
    campaign = await engineCampaign('crashes', {
      waves: [
        { date: '2026-11-23', size: 3 },
        { date: '2026-11-24', size: 'rest' },
      ],
      soak: { points: ['5s'], tolerance: '10m' },
    });
    // Earlier tests' restarts are not this test's history: each log starts empty (the server
    // appends, so it keeps writing at the new end).
    for (const server of campaign.wave1) await truncate(paths.host(server.name).errorLog, 0);
  }, 180_000);

  afterAll(async () => {
    await resetFleet(fleet);
  }, 180_000);

  it('counts a crash before the campaign as before, and one after the upgrade as since', async () => {
    const [crashedBefore, crashedAfter, quiet] = campaign.wave1.map((server) => server.name);
    if (crashedBefore === undefined || crashedAfter === undefined || quiet === undefined)
      throw new Error('wave 1 needs three servers');
    await injectFault(paths, crashedBefore, 'crash');

    const run = await runWave1(campaign);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    await injectFault(paths, crashedAfter, 'crash');
    // The +5s point samples every upgraded server again: the crashed one has started since.
    const soak = await startDbwave(['soak', campaign.planFile, '--wave', '1']).done;
    expect(soak.stdout, soak.stderr).toContain('wave 1 soak +5s');

    const json = JSON.parse(
      (await startDbwave(['report', campaign.planFile, '--wave', '1', '--json']).done).stdout,
    );
    const rows = new Map<string, CrashRow>(
      json.crashes.classes.flatMap((entry: { servers: CrashRow[] }) =>
        entry.servers.map((row) => [row.server, row] as const),
      ),
    );
    expect(rows.get(crashedBefore)?.before?.crashes).toBe(1);
    expect(rows.get(crashedBefore)?.sinceUpgrade?.unplannedRestarts).toBe(0);
    expect(rows.get(crashedAfter)?.before?.crashes).toBe(0);
    expect(rows.get(crashedAfter)?.sinceUpgrade?.unplannedRestarts).toBe(1);
    expect(rows.get(quiet)?.before?.crashes).toBe(0);
    expect(rows.get(quiet)?.sinceUpgrade).toMatchObject({ unplannedRestarts: 0, samplings: 2 });

    const markdown = (await startDbwave(['report', campaign.planFile, '--wave', '1']).done).stdout;
    expect(markdown).toContain('## Crashes');
    expect(markdown).toMatch(
      /\| Class +\| Servers +\| Crashes before the campaign \(error log\) +\| Unplanned restarts since upgrade +\|/,
    );
    const html = (await startDbwave(['report', campaign.planFile, '--wave', '1', '--format', 'html']).done)
      .stdout;
    expect(html).toContain('<h2>Crashes</h2>');
  }, 900_000);
});
