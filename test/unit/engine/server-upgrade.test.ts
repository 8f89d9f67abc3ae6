import { describe, expect, it } from 'vitest';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { FROM, TO } from './fakes/fake-versions.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');

const HAPPY_PATH = [
  'precheck:started',
  'precheck:succeeded',
  'baseline:started',
  'baseline:skipped',
  'preflush:started',
  'preflush:succeeded',
  'window-open:started',
  'window-open:succeeded',
  'shutdown:started',
  'shutdown:succeeded',
  'upgrade:started',
  'upgrade:succeeded',
  'start:started',
  'start:succeeded',
  'post-upgrade:started',
  'post-upgrade:succeeded',
  'verify:started',
  'verify:succeeded',
  'readiness-gates:started',
  'readiness-gates:skipped',
  'window-close:started',
  'window-close:succeeded',
  'analysis-gates:started',
  'analysis-gates:skipped',
];

describe('the per-server step machine', () => {
  it('takes a healthy server through every step in order and upgrades it once', async () => {
    const harness = new Harness();
    const result = await harness.upgrade(db1);
    const host = harness.fleet.host('db1');
    expect(result.outcome).toBe('Upgraded');
    expect(harness.steps('db1')).toEqual(HAPPY_PATH);
    expect(host.upgrades).toBe(1);
    expect(host.runningVersion).toBe(TO);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('sets innodb_fast_shutdown=0 before the stop command', async () => {
    const harness = new Harness();
    await harness.upgrade(db1);
    expect(harness.fleet.host('db1').fastShutdown).toBe(0);
  });

  it('keeps innodb_max_dirty_pages_pct low from the pre-flush to the stop, so the load cannot dirty the pool again', async () => {
    const harness = new Harness();
    await harness.upgrade(db1);
    const host = harness.fleet.host('db1');
    expect(host.maxDirtyPagesPctAtStop).toBe(0);
    expect(host.maxDirtyPagesPct).toBe(host.configuredMaxDirtyPagesPct);
  });

  it('flushes at the campaign io capacity during the pre-flush, and puts it back when the run stops before the shutdown', async () => {
    const harness = new Harness(fakeCampaign({ preflush: { ioCapacity: 5000 } }));
    const host = harness.fleet.host('db1');
    const seen: number[] = [];
    const query = host.query.bind(host);
    host.query = (sql: string) => {
      if (/SHOW GLOBAL STATUS/.test(sql)) seen.push(host.ioCapacity.innodb_io_capacity);
      return query(sql);
    };
    harness.fleet.window.failOpen = true;
    await harness.upgrade(db1);
    expect(seen).toContain(5000);
    expect(host.running).toBe(true);
    expect(host.ioCapacity).toEqual({ innodb_io_capacity: 200, innodb_io_capacity_max: 2000 });
  });

  it('puts innodb_max_dirty_pages_pct back when the window will not open after a pre-flush', async () => {
    const harness = new Harness();
    harness.fleet.window.failOpen = true;
    const result = await harness.upgrade(db1);
    const host = harness.fleet.host('db1');
    expect(result.outcome).not.toBe('Upgraded');
    expect(host.running).toBe(true);
    expect(host.maxDirtyPagesPct).toBe(host.configuredMaxDirtyPagesPct);
  });

  it('keeps what the pre-flush flushed when it times out: the settings stay changed until the stop, and the upgrade goes on', async () => {
    const harness = new Harness(
      fakeCampaign({ preflush: { targetDirtyPages: 0, timeout: '10s', settle: '0s' } }),
    );
    const host = harness.fleet.host('db1');
    host.dirtyPages = 10_000_000;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    expect(preflushDetail(harness)).toMatchObject({ endedBy: 'timeout', reachedTarget: false });
    expect(host.maxDirtyPagesPctAtStop).toBe(0);
    expect(host.maxDirtyPagesPct).toBe(host.configuredMaxDirtyPagesPct);
  });

  it('stops waiting once dirty pages no longer fall, long before the timeout', async () => {
    const harness = new Harness(
      fakeCampaign({ preflush: { targetDirtyPages: 0, timeout: '10m', settle: '15s' } }),
    );
    const host = harness.fleet.host('db1');
    // Under write load the flush only keeps up: 5,000 pages a poll off ten million is no fall.
    host.dirtyPages = 10_000_000;
    const started = harness.clock.now();
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    expect(preflushDetail(harness)).toMatchObject({ endedBy: 'settled', reachedTarget: false });
    expect(harness.clock.now() - started).toBeLessThan(60_000);
    expect(host.maxDirtyPagesPctAtStop).toBe(0);
  });

  it('waits on while dirty pages keep falling, and journals the count before and after', async () => {
    const harness = new Harness(
      fakeCampaign({ preflush: { targetDirtyPages: 1000, timeout: '10m', settle: '3s' } }),
    );
    const host = harness.fleet.host('db1');
    host.dirtyPages = 50_000;
    await harness.upgrade(db1);
    const started = harness.journal.records.find(
      (record) => record.kind === 'step' && record.step === 'preflush' && record.event === 'started',
    );
    expect(started?.kind === 'step' ? started.detail : undefined).toMatchObject({ dirtyPagesBefore: 50_000 });
    expect(preflushDetail(harness)).toMatchObject({ endedBy: 'target', reachedTarget: true, dirtyPages: 0 });
  });

  it('writes each started record before the side effect it announces', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    const seenAtUpgrade: string[] = [];
    host.onCommand = (command) => {
      if (command === 'upgrade') seenAtUpgrade.push(...harness.steps('db1').slice(-1));
    };
    await harness.upgrade(db1);
    expect(seenAtUpgrade).toEqual(['upgrade:started']);
  });

  it('counts a server already on the new version as AlreadyUpgraded and touches nothing', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.runningVersion = TO;
    host.installed = TO;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('AlreadyUpgraded');
    expect(harness.fleet.window.opens).toBe(0);
    expect(host.calls.includes('stop')).toBe(false);
  });

  it.each([
    ['SSH is down', (h: Harness) => (h.fleet.host('db1').faults.sshDown = true)],
    ['the version is neither from nor to', (h: Harness) => (h.fleet.host('db1').runningVersion = '10.6.1')],
    ['the datadir is nearly full', (h: Harness) => (h.fleet.host('db1').freeKb = 10)],
    ['a transaction is too old', (h: Harness) => (h.fleet.host('db1').oldestTransactionS = 3600)],
    ['mysqld is not running', (h: Harness) => (h.fleet.host('db1').running = false)],
  ])('fails its prechecks without opening a window when %s', async (_name, breakIt) => {
    const harness = new Harness();
    breakIt(harness);
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('PrecheckFailed');
    expect(harness.fleet.window.opens).toBe(0);
    expect(harness.fleet.host('db1').upgrades).toBe(0);
  });

  it('rolls back when the new version does not start, and closes the window', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.faults.startFailsOnNew = true;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('RolledBack');
    expect(host.installed).toBe(FROM);
    expect(host.running).toBe(true);
    expect(host.runningVersion).toBe(FROM);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    expect(harness.steps('db1')).toEqual(
      expect.arrayContaining([
        'rollback-package:succeeded',
        'rollback-verify:succeeded',
        'window-close:succeeded',
      ]),
    );
  });

  it('rolls back when the new version reports the wrong version', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.faults.reportsVersion = '10.11.20';
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('RolledBack');
    expect(harness.steps('db1')).toContain('rollback-shutdown:succeeded');
    expect(host.runningVersion).toBe(FROM);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('never touches the package after an unclean shutdown, starts the old version and asks for a person', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.faults.uncleanShutdown = true;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('NeedsPerson');
    expect(result.reason).toMatch(/clean shutdown/);
    expect(host.upgrades).toBe(0);
    expect(host.rollbacks).toBe(0);
    expect(host.running).toBe(true);
    expect(host.runningVersion).toBe(FROM);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('says NeedsUserMigration instead of downgrading past the point of no return', async () => {
    const harness = new Harness(fakeCampaign({ pointOfNoReturn: 'start' }));
    const host = harness.fleet.host('db1');
    host.faults.reportsVersion = '10.11.20';
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('NeedsUserMigration');
    expect(host.rollbacks).toBe(0);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('still rolls back a failure before the point of no return', async () => {
    const harness = new Harness(fakeCampaign({ pointOfNoReturn: 'post-upgrade' }));
    harness.fleet.host('db1').faults.startFailsOnNew = true;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('RolledBack');
  });

  it('leaves a server whose stop command fails running on the old version, window closed', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.faults.stopFails = true;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('NeedsPerson');
    expect(host.running).toBe(true);
    expect(host.upgrades).toBe(0);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('closes the window even when opening it failed half way', async () => {
    const harness = new Harness();
    harness.fleet.window.failOpen = true;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('NeedsPerson');
    expect(harness.fleet.window.closes).toBe(1);
    expect(harness.fleet.host('db1').calls.includes('stop')).toBe(false);
  });

  describe('over the shutdown budget', () => {
    it('alerts and, with policy wait, upgrades once the clean shutdown completes within the hard limit', async () => {
      const harness = new Harness(
        fakeCampaign({ shutdown: { budget: '10s', overBudget: 'wait', hardLimit: '10m' } }),
      );
      const host = harness.fleet.host('db1');
      // Polled every 250 ms: 100 polls take 25 s, well past the 10 s budget.
      host.exitAfterPolls = 100;
      const result = await harness.upgrade(db1);
      expect(result.outcome).toBe('Upgraded');
      expect(
        harness.journal.records.some((r) => r.kind === 'alert' && r.alert === 'shutdown-over-budget'),
      ).toBe(true);
    });

    it('with policy abort, waits for the exit, does not upgrade, starts the old version and asks for a person', async () => {
      const harness = new Harness(
        fakeCampaign({ shutdown: { budget: '10s', overBudget: 'abort', hardLimit: '10m' } }),
      );
      const host = harness.fleet.host('db1');
      // Polled every 250 ms: 100 polls take 25 s, well past the 10 s budget.
      host.exitAfterPolls = 100;
      const result = await harness.upgrade(db1);
      expect(result.outcome).toBe('NeedsPerson');
      expect(result.reason).toMatch(/over the budget/);
      expect(host.upgrades).toBe(0);
      expect(host.running).toBe(true);
      expect(host.runningVersion).toBe(FROM);
      expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    });

    it('gives up at the hard limit on a hung mysqld without killing it, and leaves the window open while it flushes', async () => {
      const harness = new Harness(
        fakeCampaign({ shutdown: { budget: '10s', overBudget: 'wait', hardLimit: '1m' } }),
      );
      const host = harness.fleet.host('db1');
      host.faults.hang = true;
      const result = await harness.upgrade(db1);
      expect(result.outcome).toBe('NeedsPerson');
      expect(result.reason).toMatch(/hardLimit.*503 window stays open/);
      expect(host.upgrades).toBe(0);
      expect(host.calls.some((call) => /kill/.test(call))).toBe(false);
      expect(harness.fleet.window.isOpenNow('db1')).toBe(true);
      expect(harness.detail('db1', 'shutdown')).toMatchObject({ windowLeftOpen: true, overBudget: true });
    });

    it('gives a blocking stop the hard limit, not commands.timeout, and counts its time against the budget', async () => {
      const harness = new Harness(
        fakeCampaign({ shutdown: { budget: '20m', overBudget: 'wait', hardLimit: '40m' } }),
      );
      const host = harness.fleet.host('db1');
      // `systemctl stop` returns only once mysqld has flushed: 25 minutes, past commands.timeout (10m).
      host.onCommand = (command) => {
        if (command !== 'stop') return;
        harness.clock.advance(25 * 60_000);
        host.exitAfterPolls = 0;
      };
      const result = await harness.upgrade(db1);
      expect(host.timeouts.get('stop')).toBe(40 * 60_000);
      expect(result.outcome).toBe('Upgraded');
      expect(harness.detail('db1', 'shutdown')).toMatchObject({ overBudget: true, clean: true });
    });
  });

  describe('hooks', () => {
    it('rolls back inside the window when a readiness gate fails', async () => {
      const harness = new Harness();
      harness.hooks = { readinessGates: async () => ({ verdict: 'fail', reason: 'error log not clean' }) };
      const result = await harness.upgrade(db1);
      expect(result.outcome).toBe('RolledBack');
      expect(harness.fleet.window.opens).toBe(1);
      expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    });

    it('rolls back through a second window when an analysis gate fails', async () => {
      const harness = new Harness();
      harness.hooks = { analysisGates: async () => ({ verdict: 'fail', reason: 'reads per second halved' }) };
      const result = await harness.upgrade(db1);
      expect(result.outcome).toBe('RolledBack');
      expect(harness.fleet.window.opens).toBe(2);
      expect(harness.steps('db1')).toContain('rollback-window-close:succeeded');
      expect(harness.fleet.host('db1').runningVersion).toBe(FROM);
      expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    });

    it('stops before the window when the baseline cannot be taken', async () => {
      const harness = new Harness();
      harness.hooks = { baseline: async () => ({ verdict: 'fail', reason: 'no InnoDB metrics' }) };
      const result = await harness.upgrade(db1);
      expect(result.outcome).toBe('PrecheckFailed');
      expect(harness.fleet.window.opens).toBe(0);
    });
  });

  it('closes the window when dbwave is interrupted inside it, and leaves the server to a resume', async () => {
    const { harness, host, controller } = interruptedAtStop();
    const result = await harness.upgrade(db1, controller.signal);
    expect(result.outcome).toBe('InProgress');
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
    host.onCommand = undefined;
    host.exitAfterPolls = 1;
    const resumed = await harness.upgrade(db1);
    expect(resumed.outcome).toBe('Upgraded');
    expect(host.upgrades).toBe(1);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });

  it('resumes at the interrupted step when it was killed inside the close that followed the interruption', async () => {
    const { harness, host, controller } = interruptedAtStop();
    // The kill lands once the close's `started` is journaled: the window call never happens.
    harness.journal.beforeAppend = (entry) => {
      harness.fleet.crash.tick();
      if (entry.kind === 'step' && entry.step === 'window-close' && entry.event === 'started') {
        harness.fleet.crash.crashAfter = harness.fleet.crash.calls;
      }
    };
    await harness.upgrade(db1, controller.signal).catch(() => undefined);
    expect(harness.steps('db1').slice(-2)).toEqual(['shutdown:started', 'window-close:started']);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(true);

    harness.journal.beforeAppend = () => undefined;
    harness.fleet.crash.crashAfter = Number.POSITIVE_INFINITY;
    host.onCommand = undefined;
    host.exitAfterPolls = 1;
    const resumed = await harness.upgrade(db1);
    expect(resumed.outcome).toBe('Upgraded');
    expect(host.upgrades).toBe(1);
    expect(host.runningVersion).toBe(TO);
    // It went back to the shutdown (window reopened first; the probe found mysqld down), not on to
    // the analysis gates.
    const afterKill = harness.steps('db1').slice(harness.steps('db1').indexOf('window-close:started') + 1);
    expect(afterKill.slice(0, 3)).toEqual([
      'window-open:started',
      'window-open:succeeded',
      'shutdown:succeeded',
    ]);
    expect(afterKill).toContain('upgrade:succeeded');
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });
});

/**
 * A harness whose db1 takes long to stop, and an operator who interrupts dbwave as the stop
 * command goes out: the run is inside its window, at the shutdown.
 */
function interruptedAtStop() {
  const harness = new Harness(fakeCampaign({ shutdown: { budget: '10m' } }));
  const host = harness.fleet.host('db1');
  host.exitAfterPolls = 1_000;
  const controller = new AbortController();
  host.onCommand = (command) => {
    if (command === 'stop') controller.abort(new Error('operator pressed Ctrl-C twice'));
  };
  return { harness, host, controller };
}

/** The detail of the pre-flush's outcome record. */
function preflushDetail(harness: Harness): Readonly<Record<string, unknown>> | undefined {
  const record = harness.journal.records.find(
    (entry) => entry.kind === 'step' && entry.step === 'preflush' && entry.event === 'succeeded',
  );
  return record?.kind === 'step' ? record.detail : undefined;
}
