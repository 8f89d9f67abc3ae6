import { afterEach, describe, expect, it } from 'vitest';
import { fleetStatus } from '../../../scripts/fleet/commands/status.js';
import { serversState } from '../../../scripts/fleet/haproxy.js';
import { fleetPaths, loadFleet, setWindow } from './fleet-fixture.js';

const fleet = loadFleet();
const target = fleet.servers[fleet.servers.length - 1];
if (!target) throw new Error('the fleet has no server');

describe("the users' side through HAProxy", () => {
  afterEach(async () => {
    await setWindow(fleet, target, 'ready');
  });

  it.each(fleet.servers.map((server) => [server.shard, server]))(
    '%s answers 200 from its own server, having written to its database',
    async (_shard, server) => {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { server: string; version: string; requests: number };
      expect(body.server).toBe(server.name);
      expect(body.version).toMatch(/^\d+\.\d+\.\d+-MariaDB/);
      expect(body.requests).toBeGreaterThan(0);
    },
  );

  it('answers 503 with a maintenance page and Retry-After while the window is open, then 200 again', async () => {
    expect(await setWindow(fleet, target, 'maint')).toBe('\n');
    const closed = await fetch(target.url);
    expect(closed.status).toBe(503);
    expect(Number(closed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await closed.text()).toMatch(/maintenance/i);

    const states = await serversState(fleet.haproxy.socket);
    expect(states.find((state) => state.server === target.name)?.maintenance).toBe(true);
    const status = await fleetStatus(fleetPaths(fleet));
    expect(status.find((row) => row.name === target.name)?.window).toBe('open');

    // Only the shard in its window is affected.
    const other = fleet.servers.find((server) => server.name !== target.name);
    if (other) expect((await fetch(other.url)).status).toBe(200);

    await setWindow(fleet, target, 'ready');
    expect((await fetch(target.url)).status).toBe(200);
    expect((await fleetStatus(fleetPaths(fleet))).find((row) => row.name === target.name)?.window).toBe(
      'closed',
    );
  });

  it('answers 404 for a shard it does not know', async () => {
    expect((await fetch(`${fleet.haproxy.url}/shard/no-such-shard/`)).status).toBe(404);
  });
});
