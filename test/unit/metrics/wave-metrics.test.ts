import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WaveMetrics } from '../../../src/observers/metrics/wave-metrics.js';
import { healthyWave, PLANNED_SERVERS, rollbackWave, SyntheticJournal } from '../report/synthetic-journal.js';
import { find, parseExposition } from './exposition.js';

const classes = new Map<string, string>(PLANNED_SERVERS.map((server) => [server.name, server.class]));

async function scrape(journal: SyntheticJournal) {
  const metrics = new WaveMetrics({ campaign: journal.campaign, classOf: (server) => classes.get(server) });
  for (const record of journal.records) metrics.observe(record);
  return parseExposition(await metrics.text());
}

describe('the wave metrics', () => {
  it('observe one 503 window and one shutdown per upgraded server, with campaign, wave, class and server labels', async () => {
    const samples = await scrape(healthyWave());
    const windows = find(samples, 'dbwave_window_503_seconds_count', { step: 'window-open' });
    expect(windows.map((sample) => [sample.labels.server, sample.labels.class, sample.value])).toEqual([
      ['db-a1', 'ix-6', 1],
      ['db-b1', 'ix-24', 1],
      ['db-c1', 'cuil-9', 1],
    ]);
    expect(find(samples, 'dbwave_window_503_seconds_sum', { server: 'db-a1' })[0]?.value).toBe(309.5);
    expect(find(samples, 'dbwave_shutdown_seconds_sum', { server: 'db-b1' })[0]?.value).toBe(600);
    expect(
      find(samples, 'dbwave_window_503_seconds_count', { campaign: 'fleet-5158', wave: '1' }),
    ).toHaveLength(3);
  });

  it('count servers by state, zeros included, and no server in a step once all are done', async () => {
    const samples = await scrape(healthyWave());
    expect(find(samples, 'dbwave_servers', { class: 'ix-6', state: 'Upgraded' })[0]?.value).toBe(1);
    expect(find(samples, 'dbwave_servers', { class: 'ix-6', state: 'InProgress' })[0]?.value).toBe(0);
    expect(find(samples, 'dbwave_server_step')).toHaveLength(0);
    expect(find(samples, 'dbwave_window_open', { server: 'db-a1' })[0]?.value).toBe(0);
  });

  it('count rollbacks, failures and gate verdicts', async () => {
    const samples = await scrape(rollbackWave());
    expect(find(samples, 'dbwave_rollbacks_total', { server: 'db-b1' })[0]?.value).toBe(1);
    expect(find(samples, 'dbwave_failures', { wave: '1' })[0]?.value).toBe(1);
    expect(
      find(samples, 'dbwave_gate_verdicts_total', { server: 'db-a1', gate: 'innodb', verdict: 'pass' })[0]
        ?.value,
    ).toBe(1);
    expect(
      find(samples, 'dbwave_step_duration_seconds_count', {
        server: 'db-b1',
        step: 'start',
        result: 'failed',
      })[0]?.value,
    ).toBe(1);
  });

  it('show the step a server is in while it is in flight, and its open window', async () => {
    const journal = new SyntheticJournal();
    journal.add({ kind: 'wave', wave: 1, event: 'started', servers: ['db-a1'] });
    journal.step(1, 'db-a1', 'window-open', 500);
    journal.add({ kind: 'step', wave: 1, server: 'db-a1', step: 'shutdown', event: 'started' });
    journal.add({ kind: 'progress', wave: 1, server: 'db-a1', step: 'shutdown', etaMs: 90_000 });
    const samples = await scrape(journal);
    expect(
      find(samples, 'dbwave_server_step', { server: 'db-a1' }).map((sample) => sample.labels.step),
    ).toEqual(['shutdown']);
    expect(find(samples, 'dbwave_window_open', { server: 'db-a1' })[0]?.value).toBe(1);
    expect(find(samples, 'dbwave_shutdown_eta_seconds', { server: 'db-a1' })[0]?.value).toBe(90);
  });

  it('publish the InnoDB rate shift of each compared metric', async () => {
    const journal = new SyntheticJournal();
    journal.healthyServer(1, 'db-a1', { fsyncsAfter: 100 });
    const samples = await scrape(journal);
    expect(
      find(samples, 'dbwave_innodb_rate_shift_ratio', { server: 'db-a1', metric: 'data_fsyncs' })[0]?.value,
    ).toBe(1);
  });

  it('keep to a registry of their own', async () => {
    await scrape(healthyWave());
    expect(await register.metrics()).not.toContain('dbwave_');
  });
});

describe('the per-server gauges', () => {
  it('hold each server’s window and shutdown with its mysqld_exporter instance, one series per server', async () => {
    const metrics = new WaveMetrics({
      campaign: 'fleet-5158',
      classOf: (server) => classes.get(server),
      instanceOf: (server) => `${server}:9104`,
    });
    const journal = healthyWave();
    for (const record of journal.records) metrics.observe(record);
    const samples = parseExposition(await metrics.text());
    expect(
      find(samples, 'dbwave_server_window_503_seconds').map((sample) => [
        sample.labels.instance,
        sample.value,
      ]),
    ).toEqual([
      ['db-a1:9104', 309.5],
      ['db-b1:9104', expect.any(Number)],
      ['db-c1:9104', expect.any(Number)],
    ]);
    expect(find(samples, 'dbwave_server_shutdown_seconds', { server: 'db-b1' })[0]).toMatchObject({
      labels: { instance: 'db-b1:9104', class: 'ix-24' },
      value: 600,
    });
    // Closed windows and finished shutdowns leave no open-since series behind.
    expect(find(samples, 'dbwave_window_opened_timestamp_seconds')).toEqual([]);
    expect(find(samples, 'dbwave_shutdown_started_timestamp_seconds')).toEqual([]);
  });

  it('say since when a window is open and a shutdown runs, while they do', async () => {
    const metrics = new WaveMetrics({ campaign: 'fleet-5158', classOf: (server) => classes.get(server) });
    const journal = new SyntheticJournal();
    journal.add({ kind: 'wave', wave: 1, event: 'started', servers: ['db-a1'] });
    journal.step(1, 'db-a1', 'window-open', 500);
    const opened = Date.parse(journal.records.at(-1)?.at ?? '') / 1000;
    journal.wait(1_000);
    journal.add({ kind: 'step', wave: 1, server: 'db-a1', step: 'shutdown', event: 'started' });
    for (const record of journal.records) metrics.observe(record);
    const samples = parseExposition(await metrics.text());
    expect(
      find(samples, 'dbwave_window_opened_timestamp_seconds', { server: 'db-a1', instance: '' })[0]?.value,
    ).toBe(opened);
    expect(find(samples, 'dbwave_shutdown_started_timestamp_seconds', { server: 'db-a1' })[0]?.value).toBe(
      journal.clock / 1000,
    );
  });
});
