import { readdir, readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { find, parseExposition } from '../../unit/metrics/exposition.js';
import { type HttpReceiver, startReceiver } from '../../unit/report/http-receiver.js';
import { engineCampaign, resetFleet } from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

const TOKEN = 'T0KEN9secret8abcdefghijklmnop';
const ROUTING_KEY = 'R0UTING7key6abcdefghijklmnopqrs';

describe('alerts from a real run on the fleet', () => {
  const fleet = loadFleet();
  let receiver: HttpReceiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });
  afterAll(() => resetFleet(fleet));

  it('broadcasts by itself, labels per-server gauges with mysqld_exporter’s instance, and ends its heartbeat', async () => {
    const campaign = await engineCampaign('alerts', {
      notify: {
        every: '20s',
        webhooks: [
          { urlEnv: 'DBWAVE_IT_EVENTS', format: 'json' },
          { urlEnv: 'DBWAVE_IT_TEAMS', format: 'teams' },
        ],
        pagerduty: { routingKeyEnv: 'DBWAVE_IT_PD', eventsUrl: receiver.url('/v2/enqueue') },
      },
      metrics: { instance: '{{host}}:{{port}}' },
    });
    await resetFleet(fleet);
    const out: string[] = [];
    const textfile = join(campaign.stateDir, '..', 'dbwave.prom');
    const status = await runWaveCommand(
      { plan: campaign.planFile, wave: 1, yes: true, ignoreDate: true, metricsTextfile: textfile },
      {
        streams: {
          stdout: { write: (text: string) => out.push(text) },
          stderr: { write: (text: string) => out.push(text) },
        },
        clock: systemClock,
        cwd: process.cwd(),
        interactive: false,
        confirm: async () => true,
        identity: { user: userInfo().username, host: hostname(), pid: process.pid },
        env: {
          DBWAVE_IT_EVENTS: receiver.url(`/events/${TOKEN}`),
          DBWAVE_IT_TEAMS: receiver.url(`/teams/${TOKEN}`),
          DBWAVE_IT_PD: ROUTING_KEY,
        },
      },
    );
    expect(status).toBe(0);

    const events = receiver.bodies(`/events/${TOKEN}`) as { type: string; state: string; text: string }[];
    console.log(events.map((event) => event.text).join('\n'));
    expect(events[0]).toMatchObject({ type: 'status', state: 'in-progress' });
    expect(events.at(-1)).toMatchObject({
      type: 'status',
      state: 'finished',
      summary: { upgraded: campaign.wave1.length },
    });
    expect(receiver.bodies(`/teams/${TOKEN}`)).toHaveLength(events.length);
    // Nothing needed a person: PagerDuty heard nothing.
    expect(receiver.bodies('/v2/enqueue')).toEqual([]);

    const final = parseExposition(await readFile(textfile, 'utf8'));
    expect(
      find(final, 'dbwave_server_window_503_seconds', { step: 'window-open' })
        .map((sample) => `${sample.labels.server}@${sample.labels.instance}`)
        .sort(),
    ).toEqual(campaign.wave1.map((server) => `${server.name}@${server.host}:${server.port}`).sort());
    expect(find(final, 'dbwave_run_active', { wave: '1' })[0]?.value).toBe(0);
    expect(find(final, 'dbwave_window_opened_timestamp_seconds')).toEqual([]);

    const stateFiles = await readdir(campaign.stateDir);
    const written = await Promise.all(
      stateFiles
        .filter((file) => file.endsWith('.jsonl'))
        .map((file) => readFile(join(campaign.stateDir, file), 'utf8')),
    );
    for (const text of [out.join(''), ...written, await readFile(textfile, 'utf8')]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(ROUTING_KEY);
    }
  });
});
