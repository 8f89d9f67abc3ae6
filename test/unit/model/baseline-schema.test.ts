import { describe, expect, it } from 'vitest';
import { historyLabels } from '../../../src/model/history-labels.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { fakeCampaign } from '../engine/fakes/fake-campaign.js';

const server: ResolvedServer = {
  name: 'db-01',
  class: 'ix-24',
  host: '10.0.0.7',
  port: 3306,
  sshPort: 22,
  transport: 'ssh',
  datacenter: 'phx',
  dataDir: '/var/lib/mysql',
  vars: {},
};

describe('the campaign baseline key', () => {
  it('defaults to the sampled minute, and to 7 days of history when Prometheus is named', () => {
    expect(fakeCampaign().baseline).toBeUndefined();
    expect(fakeCampaign({ baseline: { prometheus: 'http://prom:9090' } }).baseline).toMatchObject({
      days: 7,
      minDays: 2,
      window: 3_600_000,
      step: 60_000,
      timeout: 10_000,
    });
  });

  it('refuses a URL that is not http(s), minDays above days and a label that is no label name', () => {
    expect(() => fakeCampaign({ baseline: { prometheus: 'ftp://prom' } })).toThrow(/prometheus/);
    expect(() => fakeCampaign({ baseline: { prometheus: 'http://p', days: 2, minDays: 3 } })).toThrow(
      /minDays/,
    );
    expect(() =>
      fakeCampaign({ baseline: { prometheus: 'http://p', labels: { 'bad-label': 'x' } } }),
    ).toThrow(/Prometheus label name/);
  });
});

describe("a server's history labels", () => {
  it('are its metrics instance by default: the one place that names its exporter', () => {
    const campaign = fakeCampaign({ baseline: { prometheus: 'http://prom:9090' } });
    expect(historyLabels(server, campaign, 'c.yaml')).toEqual({ instance: '10.0.0.7:9104' });
  });

  it('render each mapped label from the inventory', () => {
    const campaign = fakeCampaign({
      baseline: { prometheus: 'http://prom:9090', labels: { server: '{{name}}', dc: '{{datacenter}}' } },
    });
    expect(historyLabels(server, campaign, 'c.yaml')).toEqual({ server: 'db-01', dc: 'phx' });
  });
});
