import { expect } from 'vitest';
import type { FleetManifest } from '../../../scripts/fleet/manifest.js';
import { METRIC_CATALOG } from '../../../src/stats/compare/metric-catalog.js';
import { engineCampaign } from './engine-fleet.js';

/**
 * The campaign of the tests where a new build turns slow under `npm run fleet -- load` (the fleet
 * fault `small-buffer-pool`): wave 1 of 3 servers, the rest in wave 2 (the controls), and gates
 * that judge what the buffer pool does: every metric informational but buffer_pool_reads, so
 * that the load's ups and downs on other counters never decide them. `extra` adds the canary
 * stage or the soak points.
 */
export function slowBuildCampaign(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const informational = Object.fromEntries(
    METRIC_CATALOG.map((metric) => [metric.name, { relative: 0.5, floor: 1, direction: 'informational' }]),
  );
  return {
    waves: [
      { date: '2026-11-23', size: 3 },
      { date: '2026-11-24', size: 'rest' },
    ],
    failureBudget: 3,
    stats: {
      samples: 5,
      interval: '2s',
      warmup: '2s',
      controls: 1,
      thresholds: {
        ...informational,
        buffer_pool_reads: { relative: 3, floor: 10, direction: 'higher-is-worse' },
      },
    },
    ...extra,
  };
}

/** A server of wave 1 outside any replication cluster: its class-mate, in wave 2, is its control. */
export async function pickLoneServer(fleet: FleetManifest): Promise<string> {
  const planned = await engineCampaign('slow-build-pick', slowBuildCampaign());
  const alone = planned.wave1.find((server) => server.cluster === undefined);
  if (alone === undefined) throw new Error('wave 1 has no server outside a replication cluster');
  expect(fleet.servers.filter((server) => server.class === alone.class)).toHaveLength(2);
  return alone.name;
}
