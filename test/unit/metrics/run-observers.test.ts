import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachRunObservers, type RunObserverOptions } from '../../../src/app/run-observers.js';
import { EngineEvents } from '../../../src/engine/events/engine-events.js';
import { FileJournalStore, JOURNAL_FILE } from '../../../src/engine/journal/file-journal-store.js';
import { EVENT_LOG_FILE } from '../../../src/observers/event-log.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { find, parseExposition } from './exposition.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dbwave-observers-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const clock = new FakeClock(Date.parse('2011-09-20T16:00:00Z'));
const campaign = {
  campaign: 'fleet-5158',
  target503: 600_000,
  shutdown: { budget: 3_600_000, overBudget: 'wait' as const },
  stats: { threshold: { relative: 0.5, floor: 1 }, thresholds: {}, alpha: 0.05 },
};
const wave = { index: 1, days: [], servers: [{ name: 'db-a1', class: 'ix-6', date: '2011-09-20' }] };

/** The observers of a one-server wave writing to `stream`, with a journal in the test's state dir. */
async function observe(
  stream: RunObserverOptions<FileJournalStore>['stream'],
  extra: Partial<RunObserverOptions<FileJournalStore>> = {},
) {
  const events = new EngineEvents();
  const store = new FileJournalStore({ stateDir, campaign: 'fleet-5158', clock });
  const observers = await attachRunObservers({
    events,
    journal: store,
    campaign: campaign as never,
    wave,
    stateDir,
    clock,
    stream,
    ...extra,
  });
  return { events, store, observers };
}

describe('the observers of a run', () => {
  it('see every durable journal record: metrics endpoint, textfile and structured log', async () => {
    const written: string[] = [];
    const { events, store, observers } = await observe(
      { write: (text: string) => written.push(text), isTTY: false },
      { metricsPort: 0, metricsTextfile: join(stateDir, 'dbwave.prom') },
    );
    const at = '2011-09-20T16:00:00.000Z';
    await events.emit('wave', { at, wave: 1, event: 'started', servers: ['db-a1'] });
    await events.emit('step', { at, wave: 1, server: 'db-a1', step: 'precheck', event: 'started' });
    await events.emit('step', {
      at,
      wave: 1,
      server: 'db-a1',
      step: 'precheck',
      event: 'succeeded',
      durationMs: 0,
    });
    await events.emit('outcome', { at, wave: 1, server: 'db-a1', outcome: 'AlreadyUpgraded' });

    const scraped = parseExposition(await (await fetch(observers.metricsUrl ?? '')).text());
    expect(find(scraped, 'dbwave_servers', { class: 'ix-6', state: 'AlreadyUpgraded' })[0]?.value).toBe(1);
    await observers.close();
    await store.close();

    const textfile = parseExposition(await readFile(join(stateDir, 'dbwave.prom'), 'utf8'));
    expect(find(textfile, 'dbwave_step_duration_seconds_count', { step: 'precheck' })[0]?.value).toBe(1);
    const log = (await readFile(join(stateDir, EVENT_LOG_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(log.map((line) => `${line.type}:${line.event ?? line.outcome}`)).toEqual([
      'wave:started',
      'step:started',
      'step:succeeded',
      'outcome:AlreadyUpgraded',
    ]);
    expect(written.join('')).toContain('db-a1');
    expect((await store.read()).records).toHaveLength(4);
  });

  it('show an event only once its journal record is on disk', async () => {
    const recordsWhenShown: number[] = [];
    const { events, store, observers } = await observe({
      write: (text: string) => {
        if (text.includes('shutdown started')) {
          recordsWhenShown.push(readFileSync(join(stateDir, JOURNAL_FILE), 'utf8').trim().split('\n').length);
        }
      },
      isTTY: false,
    });
    const at = '2011-09-20T16:00:00.000Z';
    await events.emit('wave', { at, wave: 1, event: 'started', servers: ['db-a1'] });
    await events.emit('step', { at, wave: 1, server: 'db-a1', step: 'shutdown', event: 'started' });
    await observers.close();
    await store.close();
    expect(recordsWhenShown).toEqual([2]);
  });

  it('start their metrics from the journal so far when a wave is resumed', async () => {
    const { observers } = await observe(
      { write: () => undefined },
      {
        progress: false,
        journalSoFar: [
          {
            v: 1,
            seq: 1,
            at: '2011-09-20T16:00:00Z',
            campaign: 'fleet-5158',
            wave: 1,
            kind: 'wave',
            event: 'started',
            servers: ['db-a1'],
          },
          {
            v: 1,
            seq: 2,
            at: '2011-09-20T16:00:01Z',
            campaign: 'fleet-5158',
            wave: 1,
            kind: 'outcome',
            server: 'db-a1',
            outcome: 'Upgraded',
          },
        ],
      },
    );
    const samples = parseExposition(await observers.metrics.text());
    expect(find(samples, 'dbwave_servers', { state: 'Upgraded' })[0]?.value).toBe(1);
    await observers.close();
  });
});

describe('the run heartbeat in the metrics', () => {
  it('says the run is active while it runs and ended once it closed, in the textfile that outlives it', async () => {
    const textfile = join(stateDir, 'dbwave.prom');
    const heartbeatClock = new FakeClock(Date.parse('2011-09-20T16:00:00Z'));
    const { observers } = await observe(
      { write: () => true, isTTY: false },
      { metricsTextfile: textfile, heartbeatMs: 5, clock: heartbeatClock },
    );
    const beat = async (): Promise<number | undefined> =>
      find(
        parseExposition(await readFile(textfile, 'utf8').catch(() => '')),
        'dbwave_run_heartbeat_timestamp_seconds',
      )[0]?.value;
    const first = Date.parse('2011-09-20T16:00:00Z') / 1000;
    heartbeatClock.advance(60_000);
    // The timer refreshes the heartbeat on its own, with no journal record in between.
    for (let tries = 0; tries < 400 && (await beat()) !== first + 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await beat()).toBe(first + 60);
    let samples = parseExposition(await readFile(textfile, 'utf8'));
    expect(find(samples, 'dbwave_run_active', { campaign: 'fleet-5158', wave: '1' })[0]?.value).toBe(1);
    await observers.close();
    samples = parseExposition(await readFile(textfile, 'utf8'));
    expect(find(samples, 'dbwave_run_active', { wave: '1' })[0]?.value).toBe(0);
    expect(find(samples, 'dbwave_window_503_target_seconds')[0]?.value).toBe(600);
    expect(find(samples, 'dbwave_shutdown_budget_seconds')[0]?.value).toBe(3600);
  });
});
