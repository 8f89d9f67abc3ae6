import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetManifest } from '../../../scripts/fleet/manifest.js';
import type { JournalRecord, StepRecord } from '../../../src/engine/journal/journal-record.js';
import type { StepName } from '../../../src/model/step-facts.js';
import { cleanShutdown, loadFleet, queryOne, sshRun, startAndWait } from '../fleet/fleet-fixture.js';
import { engineCampaign, journalOf, resetFleet, runWave1 } from './engine-fleet.js';

/** The buffer pool the rolling restart configures: none of the fleet's classes has it (32M, 48M, 64M). */
const NEW_POOL = 41_943_040;

/**
 * `configure` writes the new size into the host's my.cnf, keeping the old file beside it;
 * `rollback` puts that back. What a DBA's config change does on a real host, with a backup.
 */
const CONFIGURE = `cd $(dirname {{vars.fleetctl}})/.. && cp my.cnf my.cnf.before-restart && sed -i 's/^innodb_buffer_pool_size=.*/innodb_buffer_pool_size=${NEW_POOL}/' my.cnf`;
const RESTORE = `cd $(dirname {{vars.fleetctl}})/.. && mv my.cnf.before-restart my.cnf`;

/** The fleet's campaign as a rolling restart of the version it runs, with a config change. */
function restartOverrides(
  fleet: FleetManifest,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    to: { version: fleet.versions.from },
    commands: { configure: CONFIGURE, rollback: RESTORE },
    verify: { variables: { innodb_buffer_pool_size: NEW_POOL } },
    ...extra,
  };
}

/** Each server back on its own my.cnf (restarted if it changed), then the fleet's usual reset. */
async function restoreConfigs(fleet: FleetManifest): Promise<void> {
  for (const target of fleet.servers) {
    const home = join(fleet.root, 'hosts', target.name);
    if (!existsSync(join(home, 'my.cnf.before-restart'))) continue;
    if ((await sshRun(fleet, target, `${target.fleetctl} running`)).code === 0)
      await cleanShutdown(fleet, target);
    await sshRun(fleet, target, `cd ${home} && mv my.cnf.before-restart my.cnf`);
    await startAndWait(fleet, target);
  }
  await resetFleet(fleet);
}

/** A step's last outcome record of a server. */
function outcomeOf(records: readonly JournalRecord[], server: string, step: StepName) {
  return records.findLast(
    (record): record is StepRecord =>
      record.kind === 'step' &&
      record.server === server &&
      record.step === step &&
      record.event !== 'started',
  );
}

function eventOf(records: readonly JournalRecord[], server: string, step: StepName): string | undefined {
  return outcomeOf(records, server, step)?.event;
}

function detailOf(
  records: readonly JournalRecord[],
  server: string,
  step: StepName,
): Record<string, unknown> {
  return { ...(outcomeOf(records, server, step)?.detail ?? {}) };
}

describe('a rolling restart on the local fleet', () => {
  const fleet = loadFleet();
  beforeAll(() => restoreConfigs(fleet));
  afterAll(() => restoreConfigs(fleet));

  it('restarts each server with its new configuration, verified through SQL, on the same version', async () => {
    const campaign = await engineCampaign('rolling-restart', restartOverrides(fleet));
    const result = await runWave1(campaign);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const { records, replay } = await journalOf(campaign);
    for (const target of campaign.wave1) {
      const row = await queryOne(
        fleet,
        target,
        'SELECT VERSION() AS v, @@GLOBAL.innodb_buffer_pool_size AS pool',
      );
      expect(String(row.v)).toMatch(/^10\.11\.18/);
      expect(Number(row.pool)).toBe(NEW_POOL);
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      expect(eventOf(records, target.name, 'post-upgrade')).toBe('skipped');
      expect(detailOf(records, target.name, 'verify')).toMatchObject({
        variables: { innodb_buffer_pool_size: String(NEW_POOL) },
      });
      // The precheck read the flavour: the shutdown recognised MariaDB's clean-shutdown line by it.
      expect(detailOf(records, target.name, 'precheck')).toMatchObject({
        versionComment: expect.any(String),
      });
      expect(detailOf(records, target.name, 'shutdown')).toMatchObject({ clean: true });
    }
  });

  it('lets a stop that blocks past commands.timeout run to the end under the shutdown budget', async () => {
    await restoreConfigs(fleet);
    // A stop that blocks like `systemctl stop`: 8 s before it even signals mysqld, then until the
    // exit. commands.timeout (6s) would have cut it before the stop began.
    const blockingStop = `sleep 8 && {{vars.fleetctl}} stop && while {{vars.fleetctl}} running; do sleep 0.2; done`;
    const campaign = await engineCampaign(
      'blocking-stop',
      restartOverrides(fleet, {
        commands: { configure: CONFIGURE, rollback: RESTORE, stop: blockingStop, timeout: '6s' },
        shutdown: { budget: '2m' },
      }),
    );
    const result = await runWave1(campaign);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const { records, replay } = await journalOf(campaign);
    for (const target of campaign.wave1) {
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
      const shutdown = detailOf(records, target.name, 'shutdown');
      expect(shutdown).toMatchObject({ clean: true, overBudget: false });
      expect(Number(shutdown.elapsedMs)).toBeGreaterThan(8_000);
    }
  });
});
