import { describe, expect, it } from 'vitest';
import type {
  OutcomeRecord,
  StepRecord,
  StepRecordFor,
  WaveRecord,
} from '../../../src/engine/journal/journal-record.js';
import type { HookVerdict } from '../../../src/engine/ports/engine-hooks.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { FROM, TO } from './fakes/fake-versions.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');
const db2 = fakeServer('db2');
const pause: HookVerdict = { verdict: 'pause', reason: 'innodb inconclusive: no data; campaign chose pause' };

function outcomes(harness: Harness, server: string): string[] {
  return harness.journal.records
    .filter((record): record is OutcomeRecord => record.kind === 'outcome' && record.server === server)
    .map((record) => record.outcome);
}

describe('a pause verdict', () => {
  it('after the window leaves the server upgraded and serving, NeedsPerson with the gate evidence', async () => {
    const harness = new Harness();
    harness.hooks = { analysisGates: async () => pause };
    const result = await harness.upgrade(db1);
    expect(result).toMatchObject({
      outcome: 'NeedsPerson',
      reason: 'paused for a person: innodb inconclusive: no data; campaign chose pause',
      paused: true,
    });
    expect(harness.fleet.host('db1').runningVersion).toBe(TO);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    expect(harness.fleet.host('db1').rollbacks).toBe(0);
    const step = harness.journal.records.find(
      (record): record is StepRecord =>
        record.kind === 'step' && record.step === 'analysis-gates' && record.event === 'failed',
    );
    expect(step?.detail).toMatchObject({ paused: true });
  });

  it('inside the window rolls back rather than let users onto an unverified server', async () => {
    const harness = new Harness();
    harness.hooks = { readinessGates: async () => pause };
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('RolledBack');
    expect(result.reason).toMatch(/^readiness-gates: paused for a person: innodb inconclusive/);
    expect(harness.fleet.host('db1').runningVersion).toBe(FROM);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('is counted by the wave runner and spends the failure budget', async () => {
    const harness = new Harness(fakeCampaign({ failureBudget: 1 }));
    harness.hooks = { analysisGates: async () => pause };
    const result = await harness.wave([db1, db2]);
    expect(result.paused).toBe(2);
    expect(result.ok).toBe(false);
    expect(result.haltedBecause).toMatch(/failure budget exceeded/);
  });
});

describe('gates after a rollback', () => {
  it('read the error log from the old version’s start, not the lines the new version wrote', async () => {
    const harness = new Harness();
    const offsets: (number | undefined)[] = [];
    harness.hooks = {
      readinessGates: async (context) => {
        offsets.push(context.errorLog?.startOffset);
        return { verdict: 'fail', reason: 'error-log fail' };
      },
      rollbackGates: async (context) => {
        offsets.push(context.errorLog?.startOffset);
        return { verdict: 'pass' };
      },
    };
    expect((await harness.upgrade(db1)).outcome).toBe('RolledBack');
    const startedAt = (step: 'start' | 'rollback-start'): unknown =>
      harness.journal.records.find(
        (record): record is StepRecordFor<'start' | 'rollback-start'> =>
          record.kind === 'step' && record.step === step && record.event === 'started',
      )?.detail?.errorLogOffset;
    expect(offsets).toEqual([startedAt('start'), startedAt('rollback-start')]);
    expect(offsets[1]).toBeGreaterThan(offsets[0] ?? Number.POSITIVE_INFINITY);
  });
});

describe('the operator rolling a wave back', () => {
  async function upgraded(servers = [db1, db2]): Promise<Harness> {
    const harness = new Harness();
    const run = await harness.wave(servers);
    expect(run.ok).toBe(true);
    return harness;
  }

  it('takes every upgraded server back through its own window and the engine’s rollback steps', async () => {
    const harness = await upgraded();
    const result = await harness.wave([db1, db2], {
      action: 'rollback',
      rollbackReason: 'rolled back by dba',
    });
    expect(result.ok).toBe(true);
    expect(result.results.map((entry) => [entry.server, entry.outcome, entry.reason])).toEqual([
      ['db1', 'RolledBack', 'rolled back by dba'],
      ['db2', 'RolledBack', 'rolled back by dba'],
    ]);
    for (const name of ['db1', 'db2']) {
      expect(harness.fleet.host(name).runningVersion).toBe(FROM);
      expect(harness.fleet.window.isOpenNow(name)).toBe(false);
      expect(outcomes(harness, name)).toEqual(['Upgraded', 'RolledBack']);
    }
    const rollbackSteps = harness
      .steps('db1')
      .slice(harness.steps('db1').indexOf('rollback-window-open:started'));
    expect(rollbackSteps.filter((step) => !step.endsWith(':started'))).toEqual([
      'rollback-window-open:succeeded',
      'rollback-shutdown:succeeded',
      'rollback-package:succeeded',
      'rollback-start:succeeded',
      'rollback-verify:succeeded',
      'rollback-gates:skipped',
      'rollback-window-close:succeeded',
    ]);
    const wave = harness.journal.records.filter(
      (record): record is WaveRecord => record.kind === 'wave' && record.action === 'rollback',
    );
    expect(wave.map((record) => record.event)).toEqual(['started', 'finished']);
  });

  it('never downgrades past the point of no return: NeedsUserMigration, nothing touched', async () => {
    const harness = new Harness(fakeCampaign({ pointOfNoReturn: 'post-upgrade' }));
    await harness.wave([db1]);
    const result = await harness.wave([db1], { action: 'rollback' });
    expect(result.ok).toBe(false);
    expect(result.results[0]).toMatchObject({ outcome: 'NeedsUserMigration' });
    expect(result.results[0]?.reason).toMatch(/point of no return \(post-upgrade\)/);
    expect(harness.fleet.host('db1').runningVersion).toBe(TO);
    expect(harness.fleet.host('db1').rollbacks).toBe(0);
  });

  it('resumes a rollback dbwave was interrupted in, without opening a second rollback', async () => {
    const harness = await upgraded([db1]);
    const controller = new AbortController();
    harness.hooks = {
      rollbackGates: async () => {
        controller.abort(new Error('killed'));
        throw new Error('killed');
      },
    };
    const interrupted = await harness.wave([db1], { action: 'rollback', signal: controller.signal });
    expect(interrupted.results[0]?.outcome).toBe('InProgress');
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);

    harness.hooks = {};
    const resumed = await harness.wave([db1], { action: 'rollback' });
    expect(resumed.results[0]?.outcome).toBe('RolledBack');
    expect(harness.fleet.host('db1').runningVersion).toBe(FROM);
    expect(harness.fleet.host('db1').rollbacks).toBe(1);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    const waves = harness.journal.records.filter(
      (record): record is WaveRecord => record.kind === 'wave' && record.action === 'rollback',
    );
    expect(waves.map((record) => record.event)).toEqual(['started', 'halted', 'resumed', 'finished']);
  });

  it('takes a cluster back primary first, so that no replica ever replicates from a newer primary', async () => {
    const replica = fakeServer('r1', { cluster: 'c1', role: 'replica' });
    const primary = fakeServer('p1', { cluster: 'c1', role: 'primary' });
    const harness = await upgraded([replica, primary]);
    const upgradeLog = harness.fleet.window.log.length;
    const result = await harness.wave([replica, primary], { action: 'rollback' });
    expect(result.results.map((entry) => entry.outcome)).toEqual(['RolledBack', 'RolledBack']);
    const log = harness.fleet.window.log.slice(upgradeLog);
    expect(log.indexOf('open r1')).toBeGreaterThan(log.indexOf('close p1'));
  });

  it('does not halt on a failed rollback: every server given is tried', async () => {
    const harness = await upgraded();
    harness.hooks = { rollbackGates: async () => ({ verdict: 'fail', reason: 'error-log fail' }) };
    const result = await harness.wave([db1, db2], { action: 'rollback' });
    expect(result.results.map((entry) => entry.outcome)).toEqual(['NeedsPerson', 'NeedsPerson']);
    expect(result.ok).toBe(false);
  });
});
