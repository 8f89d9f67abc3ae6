import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleet, queryOne } from '../fleet/fleet-fixture.js';
import {
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
  upgradeCommandsRun,
} from './engine-fleet.js';

/** Lines of dbwave's progress output at which it is SIGKILLed, one run each. */
const KILL_POINTS = [
  /window-open succeeded/,
  /shutdown started/,
  /upgrade started/,
  /start started/,
  /window-close started/,
];

describe('resuming a wave after dbwave was killed (SIGKILL)', () => {
  const fleet = loadFleet();
  beforeAll(() => resetFleet(fleet));
  afterAll(() => resetFleet(fleet));

  it.each(KILL_POINTS.map((point) => [point.source, point] as const))(
    'killed at "%s", a second run upgrades every server exactly once and closes every window',
    async (_name, point) => {
      const campaign = await engineCampaign(`resume-${_name.replace(/\W+/g, '-')}`);
      await resetFleet(fleet);
      const run = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
      await run.waitForLine(point);
      run.child.kill('SIGKILL');
      await run.done;

      const again = await runWave1(campaign);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(/stale-lock/);
      const { replay } = await journalOf(campaign);
      for (const target of campaign.wave1) {
        expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
        expect(await upgradeCommandsRun(campaign, target.name)).toBeLessThanOrEqual(1);
        const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
        expect(String(version.v)).toMatch(new RegExp(`^${fleet.versions.to.replaceAll('.', '\\.')}`));
        expect((await fetch(target.url)).status).toBe(200);
      }
    },
  );
});
