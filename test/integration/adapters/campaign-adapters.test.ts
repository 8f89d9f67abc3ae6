import { afterAll, describe, expect, it } from 'vitest';
import { campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { fleetCampaign, fleetServer, loadFleet, resolvedServer } from './adapter-fixture.js';

const fleet = loadFleet();
const campaign = fleetCampaign(fleet);
const server = resolvedServer(fleetServer(fleet, 0));

describe('the adapters built from the fleet campaign, as dbwave run builds them', () => {
  const adapters = campaignAdapters({ campaign, campaignFile: fleet.campaign });
  afterAll(async () => (await adapters).close());

  it('reaches a server over SSH and MySQL and reads its window, all from the campaign file', async () => {
    const { connectors, maintenance } = await adapters;
    const shell = await connectors.shell(server);
    expect((await shell.exec('id -un', { timeoutMs: 30_000 })).stdout.trim()).toBe(fleet.ssh.user);

    const sql = await connectors.sql(server);
    try {
      const [row] = await sql.query('SELECT 1 AS one');
      expect(row).toEqual({ one: 1 });
    } finally {
      await sql.close();
    }

    expect(await maintenance.isOpen(server)).toBe(false);
  });
});
