import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { compareWave } from '../../../src/app/compare-wave.js';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { FileJournalStore } from '../../../src/engine/journal/file-journal-store.js';
import type { StatsRecord } from '../../../src/engine/journal/journal-record.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { serverResolver } from '../../../src/model/resolve-server.js';
import { sampleInnodb } from '../../../src/stats/sampling/innodb-sampler.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

/**
 * `dbwave compare` end to end on the fleet, in a state dir of its own: a journal that says one
 * server was upgraded after a baseline (sampled live here, beside a same-class control), then
 * the command samples both again and journals the recheck beside the baseline. Reads only.
 */

const fleet = loadFleet();
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'dbwave-compare-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('dbwave compare', () => {
  it('samples an upgraded server and its control again and journals the recheck beside the baseline', async () => {
    const planFile = join(folder, 'fleet.plan.yaml');
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await planCampaign({ campaign: fleet.campaign, out: planFile }, quiet)).toBe(0);
    const loaded = await loadPlan(planFile);
    const wave = loaded.plan.waves.find((candidate) =>
      candidate.servers.some((server) => server.class === 'fleet-small'),
    );
    const planned = wave?.servers.find((server) => server.class === 'fleet-small');
    if (!wave || !planned) throw new Error('no fleet-small server in the plan');
    const inventory = await loadInventory(fleet.campaign);
    const resolver = serverResolver(inventory.classes, inventory.campaign);
    const target = resolver.resolve(planned.name);
    const control = resolver
      .all()
      .find((server) => server.class === 'fleet-small' && server.name !== planned.name);
    if (!target || !control) throw new Error('the fleet needs two fleet-small servers');

    const stateDir = join(folder, 'state');
    const journal = new FileJournalStore({ stateDir, campaign: loaded.plan.campaign, clock: systemClock });
    const adapters = await campaignAdapters({
      campaign: inventory.campaign,
      campaignFile: inventory.campaignFile,
    });
    try {
      const [own, peer] = await Promise.all(
        [target, control].map(async (server) => {
          const session = await adapters.connectors.sql(server);
          try {
            return await sampleInnodb(session, { clock: systemClock, samples: 3, intervalMs: 1_000 });
          } finally {
            await session.close();
          }
        }),
      );
      if (!own || !peer) throw new Error('sampling failed');
      await journal.append({
        kind: 'stats',
        wave: wave.index,
        server: target.name,
        phase: 'baseline',
        ...own,
      });
      await journal.append({
        kind: 'stats',
        wave: wave.index,
        server: control.name,
        phase: 'control',
        controlFor: target.name,
        controlPhase: 'baseline',
        ...peer,
      });
      await journal.append({ kind: 'outcome', wave: wave.index, server: target.name, outcome: 'Upgraded' });
      await journal.close();
    } finally {
      await adapters.close();
    }

    let output = '';
    const status = await compareWave(
      { plan: planFile, wave: wave.index, server: target.name, stateDir },
      {
        streams: { stdout: { write: (text: string) => (output += text) }, stderr: quiet.stderr },
        clock: systemClock,
        cwd: process.cwd(),
        signal: new AbortController().signal,
      },
    );
    console.log(output);
    expect(output).toContain(`${target.name}: innodb `);
    expect(output).toContain(`controls ${control.name}`);
    expect([0, 1]).toContain(status);

    const records = (
      await new FileJournalStore({ stateDir, campaign: loaded.plan.campaign, clock: systemClock }).read()
    ).records;
    const stats = records.filter((record): record is StatsRecord => record.kind === 'stats');
    expect(stats.map((record) => [record.server, record.phase, record.controlPhase])).toEqual([
      [target.name, 'baseline', undefined],
      [control.name, 'control', 'baseline'],
      [target.name, 'recheck', undefined],
      [control.name, 'control', 'recheck'],
    ]);
    expect(stats[2]?.series.buffer_pool_read_requests).toHaveLength(inventory.campaign.stats.samples);
  });
});
