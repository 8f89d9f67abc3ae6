import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/core/duration.js';
import { judgeStopTimeout, parseStopTimeout } from '../../../src/model/systemd-stop-timeout.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { FROM } from './fakes/fake-versions.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');

const RESTART_COMMANDS = {
  stop: 'fake stop {{name}}',
  start: 'fake start {{name}}',
  running: 'fake running {{name}}',
  installedVersion: 'fake installed-version {{name}}',
  configure: 'fake configure {{name}}',
  rollback: 'fake restore-config {{name}}',
  postUpgrade: 'fake post-upgrade {{name}}',
};

/** A rolling restart of FROM with a new buffer pool size, written while mysqld is down. */
function restartCampaign(verified = 268_435_456) {
  return fakeCampaign({
    to: { version: FROM },
    commands: RESTART_COMMANDS,
    verify: { variables: { innodb_buffer_pool_size: verified } },
  });
}

describe('the pre-flush on a server without some of its variables', () => {
  it('sets only what the server has and journals what it skipped and why', async () => {
    const harness = new Harness();
    const host = harness.fleet.host('db1');
    host.missingVariables = new Set(['innodb_io_capacity', 'innodb_io_capacity_max']);
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    const detail = harness.detail('db1', 'preflush');
    expect(detail.originalIoCapacity).toBeUndefined();
    expect(detail.skippedVariables).toEqual([
      { name: 'innodb_io_capacity', reason: expect.stringContaining('has no innodb_io_capacity') },
      { name: 'innodb_io_capacity_max', reason: expect.stringContaining('has no innodb_io_capacity_max') },
    ]);
    expect(host.maxDirtyPagesPctAtStop).toBe(0);
  });
});

describe('a rolling restart', () => {
  it('skips the package step, with no round trip, when the restart has no configure', async () => {
    const { configure: _, ...commands } = RESTART_COMMANDS;
    const harness = new Harness(fakeCampaign({ to: { version: FROM }, commands }));
    const host = harness.fleet.host('db1');
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    expect(host.configures).toBe(0);
    expect(host.upgrades).toBe(0);
    expect(harness.steps('db1')).toContain('upgrade:skipped');
    expect(host.roundTrips.filter((trip) => trip.step === 'upgrade')).toEqual([]);
  });

  it('configures while down, skips the system-table upgrade and verifies the setting through SQL', async () => {
    const harness = new Harness(restartCampaign());
    const host = harness.fleet.host('db1');
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    expect(host.configures).toBe(1);
    expect(host.upgrades).toBe(0);
    expect(host.starts).toBe(1);
    expect(harness.steps('db1')).toContain('post-upgrade:skipped');
    expect(harness.detail('db1', 'upgrade')).toMatchObject({ command: 'configure' });
    // The guard, the configuration and the version read: one round trip inside the window.
    expect(host.roundTrips.filter((trip) => trip.step === 'upgrade')).toEqual([
      { step: 'upgrade', calls: ['running', 'configure', 'installedVersion'] },
    ]);
    expect(harness.detail('db1', 'verify')).toMatchObject({
      version: `${FROM}-MariaDB-log`,
      variables: { innodb_buffer_pool_size: '268435456' },
    });
  });

  it('rolls the configuration back when the setting did not take effect', async () => {
    const harness = new Harness(restartCampaign(536_870_912));
    const host = harness.fleet.host('db1');
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('RolledBack');
    expect(result.reason).toMatch(/innodb_buffer_pool_size is 268435456, expected 536870912/);
    expect(host.calls).toContain('rollback');
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });
});

describe('the point of no return after a change of series', () => {
  it('defaults to the first start on the new series, and to never within one or for a restart', () => {
    const series = (from: string, to: string) =>
      fakeCampaign({ from: { version: from }, to: { version: to } }).pointOfNoReturn;
    expect(series('10.11.19', '11.8.9')).toBe('start');
    expect(series('8.0.40', '8.4.3')).toBe('start');
    expect(series('10.11.18', '10.11.19')).toBe('never');
    expect(restartCampaign().pointOfNoReturn).toBe('never');
    expect(restartCampaign().kind).toBe('restart');
    const written = fakeCampaign({
      from: { version: '10.11.19' },
      to: { version: '11.8.9' },
      pointOfNoReturn: 'never',
    });
    expect(written.pointOfNoReturn).toBe('never');
    expect(written.pointOfNoReturnDefaulted).toBe(false);
  });

  it('past it, a failing gate marks the server for a user migration instead of downgrading it', async () => {
    const harness = new Harness(fakeCampaign({ pointOfNoReturn: 'start' }));
    harness.hooks = { readinessGates: async () => ({ verdict: 'fail', reason: 'error log not clean' }) };
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('NeedsUserMigration');
    expect(harness.fleet.host('db1').rollbacks).toBe(0);
    expect(harness.fleet.window.isOpenNow('db1')).toBe(false);
  });
});

describe('systemd’s TimeoutStopSec', () => {
  it.each([
    ['TimeoutStopUSec=1min 30s', 90_000],
    ['TimeoutStopUSec=15min', 900_000],
    ['TimeoutStopUSec=infinity', 'infinity'],
    ['TimeoutStopUSec=0', 'infinity'],
    ['TimeoutStopUSec=1h 30min', 5_400_000],
    ['TimeoutStopUSec=500ms', 500],
    ['TimeoutStopUSec=', undefined],
    ['TimeoutStopUSec=soon', undefined],
  ] as const)('%s is %s', (output, expected) => {
    expect(parseStopTimeout(output)).toBe(expected);
  });

  const limits = { budgetMs: 3_600_000, hardLimitMs: 7_200_000 };
  it('fails below the budget, warns below the hard limit, and says how to set it', () => {
    const fail = judgeStopTimeout('mariadb', 900_000, limits, formatDuration);
    expect(fail).toMatchObject({ verdict: 'fail' });
    expect('message' in fail && fail.message).toMatch(/systemctl edit mariadb.*TimeoutStopSec=7200/);
    expect(judgeStopTimeout('mariadb', 5_400_000, limits, formatDuration).verdict).toBe('warn');
    expect(judgeStopTimeout('mariadb', 7_200_000, limits, formatDuration).verdict).toBe('ok');
    expect(judgeStopTimeout('mariadb', 'infinity', limits, formatDuration).verdict).toBe('ok');
  });

  it('refuses a server whose unit would kill the clean shutdown, before any window', async () => {
    const harness = new Harness(fakeCampaign({ prechecks: { systemdUnit: 'mariadb' } }));
    // 90 s against the fake campaign's 10m budget: systemd would kill an ordinary slow shutdown.
    harness.fleet.host('db1').systemdStopTimeout = 90_000;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('PrecheckFailed');
    expect(result.reason).toMatch(/TimeoutStopSec 1m ?30s.*shorter than shutdown.budget/);
    expect(harness.fleet.window.opens).toBe(0);
  });

  it('checks nothing on a host without systemd', async () => {
    const harness = new Harness(fakeCampaign({ prechecks: { systemdUnit: 'mariadb' } }));
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
  });
});
