import type { JournalEntry } from '../../../src/engine/journal/journal-record.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';

/** What the recheck and soak tests share: a campaign sampling 6 intervals 10 s apart, servers, steady series. */
export const recheckCampaign = campaignSchema.parse({
  campaign: 'test',
  fleet: 'hardware-classes',
  timezone: 'UTC',
  from: { version: '10.11.18' },
  to: { version: '10.11.19' },
  window: { start: '00:00', end: '23:59' },
  waves: [{ date: '2026-11-24', size: 'rest' }],
  stats: { samples: 6, interval: '10s' },
});

/** A server of class `small`, on loopback. */
export const recheckServer = (name: string): ResolvedServer => ({
  name,
  class: 'small',
  host: '127.0.1.1',
  port: 3306,
  sshPort: 22,
  transport: 'ssh',
  datacenter: 'lab',
  vars: {},
});

const steady = (level: number): number[] =>
  [0.98, 1.01, 0.99, 1.02, 1.0, 0.97].map((factor) => level * factor);

/** What fakeMariadb's rates look like at their defaults: the baseline of an unchanged server. */
export const steadySeries = {
  buffer_pool_reads: steady(20),
  data_fsyncs: steady(40),
  row_lock_waits: steady(2),
};

/** db-01 sampled before its window, then upgraded: what a recheck or a soak point compares. */
export const upgradedWithBaseline: readonly JournalEntry[] = [
  { kind: 'stats', wave: 1, server: 'db-01', phase: 'baseline', intervalMs: 10_000, series: steadySeries },
  { kind: 'outcome', wave: 1, server: 'db-01', outcome: 'Upgraded' },
];
