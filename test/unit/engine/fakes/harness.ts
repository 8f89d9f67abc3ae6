import { EngineEvents } from '../../../../src/engine/events/engine-events.js';
import type { JournalRecord, StepRecord } from '../../../../src/engine/journal/journal-record.js';
import { attachJournal } from '../../../../src/engine/journal/journal-subscriber.js';
import type { EngineHooks } from '../../../../src/engine/ports/engine-hooks.js';
import { discardOutput } from '../../../../src/engine/ports/server-connectors.js';
import { type ServerUpgradeResult, upgradeServer } from '../../../../src/engine/steps/server-upgrade.js';
import { runWave, type WaveRunOptions, type WaveRunResult } from '../../../../src/engine/wave/wave-runner.js';
import type { Campaign } from '../../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';
import type { StepName } from '../../../../src/model/step-facts.js';
import { fakeCampaign } from './fake-campaign.js';
import { FakeClock } from './fake-clock.js';
import { FakeFleet } from './fake-fleet.js';
import { MemoryJournalStore } from './memory-journal-store.js';

/** One engine run against fakes: fleet, clock, journal and events wired as the CLI wires them. */
export class Harness {
  readonly clock = new FakeClock();
  readonly fleet = new FakeFleet();
  readonly journal: MemoryJournalStore;
  campaign: Campaign;
  hooks: EngineHooks = {};

  constructor(campaign: Campaign = fakeCampaign(), records: readonly JournalRecord[] = []) {
    this.campaign = campaign;
    this.journal = new MemoryJournalStore(this.clock, records);
  }

  /** The events of a new dbwave process: what the last one held unwritten is gone. */
  private events(): EngineEvents {
    this.journal.forgetUnwritten();
    const events = new EngineEvents();
    attachJournal(events, this.journal);
    return events;
  }

  async upgrade(server: ResolvedServer, signal = new AbortController().signal): Promise<ServerUpgradeResult> {
    return upgradeServer({
      server,
      campaign: this.campaign,
      campaignFile: 'waves/test.yaml',
      wave: 1,
      connectors: this.fleet.connectors,
      window: this.fleet.window,
      hooks: this.hooks,
      events: this.events(),
      clock: this.clock,
      signal,
      output: discardOutput,
      history: this.journal.records.filter(
        (record) => record.kind === 'step' && record.server === server.name,
      ),
    });
  }

  async wave(
    servers: readonly ResolvedServer[],
    options: Partial<WaveRunOptions> = {},
  ): Promise<WaveRunResult> {
    return runWave({
      campaign: this.campaign,
      campaignFile: 'waves/test.yaml',
      wave: 1,
      servers,
      connectors: this.fleet.connectors,
      window: this.fleet.window,
      hooks: this.hooks,
      events: this.events(),
      clock: this.clock,
      output: discardOutput,
      history: [...this.journal.records],
      ...options,
    });
  }

  /** A step's details as the journal holds them, its records merged in order (`started` first). */
  detail(server: string, step: StepName): Record<string, unknown> {
    const merged: Record<string, unknown> = {};
    for (const record of this.journal.records) {
      if (record.kind === 'step' && record.server === server && record.step === step) {
        Object.assign(merged, record.detail ?? {});
      }
    }
    return merged;
  }

  /** `step:event` for each step record of a server, in journal order. */
  steps(server: string): string[] {
    return this.journal.records
      .filter((record): record is StepRecord => record.kind === 'step' && record.server === server)
      .map((record) => `${record.step}:${record.event}`);
  }
}
