import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlStateConnection } from '../../../src/adapters/state/mysql-state-connection.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { engineCampaign, resetFleet, startDbwave } from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

/**
 * A canary stage in a wave run through the MySQL store: its runners claim servers side by side,
 * so nothing would hold the wave back for the bake. `dbwave run` refuses it (exit 1) with the
 * way out, before it journals, claims or touches anything.
 */
describe('a canary wave through the MySQL state store', () => {
  const fleet = loadFleet();
  let folder = '';
  let passwordFile = '';

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dbwave-shared-canary-'));
    passwordFile = join(folder, 'store-password');
    await writeFile(passwordFile, fleet.stateStore.password, { mode: 0o600 });
    await resetFleet(fleet);
  }, 180_000);

  afterAll(async () => {
    await resetFleet(fleet);
    if (folder !== '') await rm(folder, { recursive: true, force: true });
  });

  it('refuses to run the canary stage with runners side by side, says the way out, and writes nothing', async () => {
    const state = {
      store: 'mysql',
      host: fleet.stateStore.host,
      port: fleet.stateStore.port,
      user: fleet.stateStore.user,
      passwordFile,
      database: fleet.stateStore.database,
      lease: '6s',
    };
    const campaignName = `shared-canary-${randomBytes(3).toString('hex')}`;
    const waves = [
      { date: '2026-11-23', size: 3 },
      { date: '2026-11-24', size: 'rest' },
    ];
    // A canary outside any replication cluster: a primary with its replica in the wave cannot be one.
    const picked = await engineCampaign('shared-canary-pick', { waves });
    const canary = picked.wave1.find((server) => server.cluster === undefined)?.name;
    if (canary === undefined) throw new Error('wave 1 has no server outside a replication cluster');
    const campaign = await engineCampaign('shared-canary', {
      campaign: campaignName,
      state,
      waves,
      canary: { servers: [canary], bake: '30s' },
    });
    const init = await startDbwave(['state', 'init', campaign.planFile]).done;
    expect(init.code, init.stderr).toBe(0);

    const run = await startDbwave([
      'run',
      campaign.planFile,
      '--wave',
      '1',
      '--yes',
      '--ignore-date',
      '--runner',
      'phx1',
    ]).done;
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stderr).toContain(`wave 1 has a canary stage (${canary}, bake 30s)`);
    expect(run.stderr).toContain('Nothing was started');
    expect(run.stderr).toContain(`--wave 1 --only name=${canary}   # the canaries alone`);
    expect(run.stderr).not.toMatch(/\n\s+at /);

    const settings = campaignFields.shape.state.unwrap().parse(state);
    if (settings.store !== 'mysql') throw new Error('not the mysql store');
    const connection = new MysqlStateConnection(
      settings,
      { user: fleet.stateStore.user, password: fleet.stateStore.password, connectTimeoutMs: 5_000 },
      systemClock,
    );
    try {
      const count = async (table: string): Promise<number> => {
        const rows = await connection.query<{ n: number }[]>(
          `SELECT COUNT(*) AS n FROM ${table} WHERE campaign = ?`,
          [campaignName],
        );
        return Number(rows[0]?.n);
      };
      expect(await count('dbwave_journal')).toBe(0);
      expect(await count('dbwave_claim')).toBe(0);
      expect(await count('dbwave_lease')).toBe(0);
    } finally {
      await connection.close();
    }
  }, 300_000);
});
