import { describe, expect, it } from 'vitest';
import { replayJournal, stepOf } from '../../../src/engine/journal/journal-replay.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

describe('replaying the journal', () => {
  it('gives an upgraded server its outcome, versions, window time and step timings', async () => {
    const harness = new Harness();
    // A shutdown that outlasts the host's first watch, so that the window takes fake time.
    harness.fleet.host('db1').exitAfterPolls = 3;
    await harness.wave([fakeServer('db1')]);
    const state = replayJournal(harness.journal.records).servers.get('db1');
    expect(state).toMatchObject({
      outcome: 'Upgraded',
      window: 'closed',
      versionBefore: expect.stringMatching(/^10\.11\.18/),
      versionAfter: expect.stringMatching(/^10\.11\.19/),
      lastStep: 'analysis-gates',
    });
    expect(state?.windowMs).toBeGreaterThan(0);
    expect(stepOf(state ?? ({} as never), 'shutdown')?.durationMs).toBeGreaterThan(0);
  });

  it('lists every server of a started wave, NotExecuted until it is touched', async () => {
    const harness = new Harness();
    harness.fleet.host('db1').faults.sshDown = true;
    await harness.wave([fakeServer('db1'), fakeServer('db2')]);
    const replay = replayJournal(harness.journal.records);
    expect(replay.servers.get('db1')?.outcome).toBe('PrecheckFailed');
    expect(replay.servers.get('db2')?.outcome).toBe('NotExecuted');
    expect(replay.waves.get(1)?.status).toBe('halted');
  });

  it('shows a window whose open was started but never confirmed as opening', async () => {
    const harness = new Harness();
    harness.journal.beforeAppend = () => harness.fleet.crash.tick();
    let cut = 0;
    harness.fleet.window.open = async () => {
      cut = harness.journal.records.length;
      throw new Error('killed');
    };
    await harness.upgrade(fakeServer('db1')).catch(() => undefined);
    const replay = replayJournal(harness.journal.records.slice(0, cut));
    expect(replay.servers.get('db1')).toMatchObject({ outcome: 'InProgress', window: 'opening' });
  });

  it('needs nothing but the records: the same records give the same state', async () => {
    const harness = new Harness();
    await harness.wave([fakeServer('db1')]);
    expect(replayJournal(harness.journal.records)).toEqual(replayJournal([...harness.journal.records]));
  });
});
