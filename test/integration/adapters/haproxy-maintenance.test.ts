import { afterEach, describe, expect, it } from 'vitest';
import { createMaintenanceWindow } from '../../../src/adapters/maintenance/maintenance-window-factory.js';
import { fleetCampaign, fleetServer, loadFleet, resolvedServer } from './adapter-fixture.js';

const fleet = loadFleet();
const campaign = fleetCampaign(fleet);
const target = fleetServer(fleet, -1);

/** The campaign's own maintenance block: HAProxy's runtime API, socket relative to the campaign file. */
const window = createMaintenanceWindow(campaign.maintenance, { campaign, campaignFile: fleet.campaign });
const server = resolvedServer(target);

async function statusSeenByUsers(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe('the HAProxy maintenance window on the fleet', () => {
  afterEach(async () => {
    await window.close(server);
  });

  it('is the adapter the fleet campaign asks for', () => {
    expect(campaign.maintenance.adapter).toBe('haproxy');
  });

  it('shows users a 503 while open and a 200 once closed, and reads its own state back', async () => {
    expect(await statusSeenByUsers(target.url)).toBe(200);
    expect(await window.isOpen(server)).toBe(false);

    await window.open(server);
    expect(await window.isOpen(server)).toBe(true);
    expect(await statusSeenByUsers(target.url)).toBe(503);

    await window.close(server);
    expect(await window.isOpen(server)).toBe(false);
    expect(await statusSeenByUsers(target.url)).toBe(200);
  });

  it('opens only the window of the server it is given', async () => {
    const other = fleet.servers.find((candidate) => candidate.shard !== target.shard);
    if (other === undefined) return;
    await window.open(server);
    expect(await statusSeenByUsers(other.url)).toBe(200);
    expect(await window.isOpen(resolvedServer(other))).toBe(false);
  });

  it('opens and closes idempotently', async () => {
    await window.open(server);
    await window.open(server);
    expect(await statusSeenByUsers(target.url)).toBe(503);
    await window.close(server);
    await window.close(server);
    expect(await statusSeenByUsers(target.url)).toBe(200);
  });

  it('fails loudly for a server HAProxy does not know', async () => {
    await expect(window.open({ ...server, name: 'no-such-server' })).rejects.toThrow(/No such server/);
  });
});
