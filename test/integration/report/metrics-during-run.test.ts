import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { find, parseExposition } from '../../unit/metrics/exposition.js';
import { engineCampaign, resetFleet } from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

describe('metrics of a real run on the fleet', () => {
  const fleet = loadFleet();
  afterAll(() => resetFleet(fleet));
  it('serves /metrics while the wave runs and leaves a parseable textfile', async () => {
    const campaign = await engineCampaign('report-metrics');
    await resetFleet(fleet);
    const out: string[] = [];
    const textfile = join(campaign.stateDir, '..', 'dbwave.prom');
    const scrapes: string[] = [];
    let url: string | undefined;
    const running = runWaveCommand(
      {
        plan: campaign.planFile,
        wave: 1,
        yes: true,
        ignoreDate: true,
        metricsPort: 0,
        metricsTextfile: textfile,
      },
      {
        streams: {
          stdout: {
            write: (text: string) => {
              out.push(text);
              const match = /metrics: (\S+)/.exec(text);
              if (match) url = match[1];
              return true;
            },
          },
          stderr: { write: (text: string) => out.push(text) },
        },
        clock: systemClock,
        cwd: process.cwd(),
        interactive: false,
        confirm: async () => true,
        identity: { user: userInfo().username, host: hostname(), pid: process.pid },
      },
    );
    let done = false;
    void running.finally(() => {
      done = true;
    });
    while (!done) {
      if (url) scrapes.push(await (await fetch(url)).text().catch(() => ''));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await running).toBe(0);
    const midRun = scrapes
      .map(parseExposition)
      .find((samples) => find(samples, 'dbwave_server_step').length > 0);
    console.log(
      `scrapes: ${scrapes.length}; one mid-run scrape showed steps: ${
        midRun
          ? find(midRun, 'dbwave_server_step')
              .map((s) => `${s.labels.server}:${s.labels.step}`)
              .join(',')
          : 'none'
      }`,
    );
    expect(midRun).toBeDefined();
    const final = parseExposition(await readFile(textfile, 'utf8'));
    console.log(
      find(final, 'dbwave_window_503_seconds_sum')
        .map((s) => `${s.labels.server}=${s.value}s`)
        .join(' '),
    );
    console.log(
      find(final, 'dbwave_shutdown_seconds_sum')
        .map((s) => `${s.labels.server}=${s.value}s`)
        .join(' '),
    );
    expect(find(final, 'dbwave_servers', { state: 'Upgraded' }).reduce((sum, s) => sum + s.value, 0)).toBe(
      campaign.wave1.length,
    );
    console.log(
      (await readFile(join(campaign.stateDir, 'dbwave.log.jsonl'), 'utf8')).split('\n').length,
      'log lines',
    );
  });
});
