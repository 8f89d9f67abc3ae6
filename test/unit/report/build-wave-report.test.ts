import { describe, expect, it } from 'vitest';
import { buildWaveReport } from '../../../src/report/build-wave-report.js';
import {
  healthyWave,
  killedWave,
  LIMITS,
  PLANNED_SERVERS,
  rollbackWave,
  SyntheticJournal,
} from './synthetic-journal.js';

function reportOf(journal: SyntheticJournal, extra: { tornTail?: boolean } = {}) {
  return buildWaveReport({
    campaign: journal.campaign,
    wave: 1,
    records: journal.records,
    plannedServers: PLANNED_SERVERS,
    limits: LIMITS,
    now: journal.clock,
    ...extra,
  });
}

describe('the wave report of a healthy wave', () => {
  const report = reportOf(healthyWave());

  it('counts every planned server as upgraded and the wave as finished', () => {
    expect(report.status).toBe('finished');
    expect(report.summary).toMatchObject({
      planned: 3,
      upgraded: 3,
      rolledBack: 0,
      inProgress: 0,
      notExecuted: 0,
    });
    expect(report.summary.failureBudget).toEqual({ spec: 1, allowed: 1, used: 0, exceeded: false });
  });

  it('gives every class its outcome', () => {
    expect(
      report.summary.classes.map((entry) => [entry.class, entry.planned, entry.outcomes.Upgraded]),
    ).toEqual([
      ['cuil-9', 1, 1],
      ['ix-24', 1, 1],
      ['ix-6', 1, 1],
    ]);
  });

  it('measures the 503 window from its confirmed opening to its closing, against its target', () => {
    const [a1, b1] = report.servers;
    expect(a1?.window?.durationMs).toBe(240_000 + 30_000 + 20_000 + 15_000 + 1_000 + 3_000 + 500);
    expect(a1?.window?.overTarget).toBe(false);
    expect(b1?.window?.overTarget).toBe(true);
  });

  it('keeps the versions before and after, the pre-flush and the shutdown against its budget', () => {
    const a1 = report.servers[0];
    expect(a1?.versions).toEqual({ before: '10.11.18-MariaDB', after: '10.11.19-MariaDB' });
    expect(a1?.preflush).toMatchObject({
      status: 'succeeded',
      endedBy: 'target',
      durationMs: 45_000,
      dirtyPagesBefore: 18_000,
      dirtyPagesAfter: 800,
    });
    expect(a1?.shutdown).toMatchObject({
      durationMs: 240_000,
      budgetMs: 3_600_000,
      overBudget: false,
      lastEtaMs: 120_000,
    });
  });

  it('lists every step with its duration and every gate with its evidence', () => {
    const a1 = report.servers[0];
    expect(a1?.steps.map((step) => step.step)).toEqual([
      'precheck',
      'baseline',
      'preflush',
      'window-open',
      'shutdown',
      'upgrade',
      'start',
      'post-upgrade',
      'verify',
      'readiness-gates',
      'window-close',
      'analysis-gates',
    ]);
    expect(a1?.steps.every((step) => step.status === 'succeeded' && step.durationMs !== undefined)).toBe(
      true,
    );
    expect(a1?.gates.map((gate) => `${gate.gate}:${gate.verdict}`)).toEqual([
      'reachable:pass',
      'error-log:pass',
      'innodb:pass',
    ]);
  });

  it('compares InnoDB rates before and after with name, before, after, change and verdict', () => {
    const metrics = report.servers[0]?.innodb?.metrics ?? [];
    expect(metrics.map((metric) => metric.name)).toEqual(['rows_read', 'data_fsyncs']);
    expect(metrics[0]).toMatchObject({ before: 1000, after: 1000, change: 0, verdict: 'informational' });
    expect(metrics[1]).toMatchObject({ name: 'data_fsyncs', verdict: 'pass' });
    expect(report.servers[0]?.innodb?.verdict).toBe('pass');
  });

  it('fails the InnoDB table of a server whose judged rate worsened beyond its threshold', () => {
    const journal = new SyntheticJournal();
    journal.healthyServer(1, 'db-a1', { fsyncsAfter: 200 });
    const server = reportOf(journal).servers[0];
    expect(server?.innodb?.verdict).toBe('fail');
    expect(server?.innodb?.metrics.find((metric) => metric.name === 'data_fsyncs')).toMatchObject({
      before: 50,
      after: 200,
      change: 3,
      verdict: 'fail',
    });
  });

  it('measures the wave wall time from its start to its finish', () => {
    expect(report.summary.wallTimeMs).toBe(
      Date.parse(report.summary.endedAt ?? '') - Date.parse(report.summary.startedAt ?? ''),
    );
    expect(report.summary.wallTimeMs).toBeGreaterThan(0);
  });
});

describe('the InnoDB comparison with controls', () => {
  it('pairs each control sampled beside the baseline with its sampling beside the after', () => {
    const journal = new SyntheticJournal();
    const series = (level: number) => ({
      data_fsyncs: [level, level + 1, level - 1, level + 2, level, level - 2],
    });
    journal.stats(1, 'db-a1', 'baseline', series(50));
    journal.add({
      kind: 'stats',
      wave: 1,
      server: 'db-z9',
      phase: 'control',
      controlFor: 'db-a1',
      controlPhase: 'baseline',
      intervalMs: 10_000,
      series: series(40),
    });
    journal.stats(1, 'db-a1', 'after', series(100));
    journal.add({
      kind: 'stats',
      wave: 1,
      server: 'db-z9',
      phase: 'control',
      controlFor: 'db-a1',
      controlPhase: 'after',
      intervalMs: 10_000,
      series: series(80),
    });
    const innodb = reportOf(journal).servers[0]?.innodb;
    expect(innodb?.controls).toEqual(['db-z9']);
    const fsyncs = innodb?.metrics.find((metric) => metric.name === 'data_fsyncs');
    expect(fsyncs?.change).toBe(1);
    expect(fsyncs?.controlShift).toBeCloseTo(1, 1);
  });
});

describe('the wave report of a wave with a rollback', () => {
  const report = reportOf(rollbackWave());
  const b1 = report.servers.find((server) => server.name === 'db-b1');

  it('counts the rolled-back server against the failure budget', () => {
    expect(report.summary).toMatchObject({ upgraded: 1, rolledBack: 1 });
    expect(report.summary.failureBudget).toMatchObject({ used: 1, allowed: 1, exceeded: false });
  });

  it('says why the server was rolled back, and that it happened inside its first window', () => {
    expect(b1?.rollback).toMatchObject({ path: 'in-window', status: 'succeeded' });
    expect(b1?.rollback?.reason).toContain('mariadbd exited with status 1');
    expect(b1?.steps.find((step) => step.step === 'start')).toMatchObject({ status: 'failed' });
  });

  it('reports the version the rollback verified', () => {
    expect(b1?.versions).toEqual({ before: '10.11.18-MariaDB', after: '10.11.18-MariaDB' });
  });

  it('gives the planned server that never ran a row as NotExecuted', () => {
    expect(report.servers.find((server) => server.name === 'db-c1')).toMatchObject({
      outcome: 'NotExecuted',
      steps: [],
    });
  });
});

describe('the wave report of a wave killed mid-way', () => {
  const journal = killedWave();
  const report = reportOf(journal, { tornTail: true });
  const b1 = report.servers.find((server) => server.name === 'db-b1');

  it('is in progress, with the torn last line noted', () => {
    expect(report.status).toBe('in-progress');
    expect(report.journal.tornTail).toBe(true);
    expect(report.summary).toMatchObject({ upgraded: 1, inProgress: 1, notExecuted: 1 });
  });

  it('shows the step that was in flight and a window still open', () => {
    expect(b1?.currentStep).toEqual({ step: 'shutdown', since: b1?.steps.at(-1)?.startedAt });
    expect(b1?.window?.closedAt).toBeUndefined();
    expect(b1?.window?.durationMs).toBeUndefined();
  });

  it('marks a step started twice across a resume as interrupted', () => {
    journal.add({ kind: 'wave', wave: 1, event: 'resumed' });
    journal.add({ kind: 'step', wave: 1, server: 'db-b1', step: 'shutdown', event: 'started' });
    journal.wait(30_000);
    journal.add({ kind: 'step', wave: 1, server: 'db-b1', step: 'shutdown', event: 'succeeded' });
    const resumed = reportOf(journal).servers.find((server) => server.name === 'db-b1');
    expect(resumed?.steps.filter((step) => step.step === 'shutdown').map((step) => step.status)).toEqual([
      'interrupted',
      'succeeded',
    ]);
  });
});

describe('records of other waves and servers outside the plan', () => {
  it('are ignored for other waves and listed after the plan for unplanned servers', () => {
    const journal = healthyWave();
    journal.add({ kind: 'wave', wave: 2, event: 'started', servers: ['db-z9'] });
    journal.add({ kind: 'step', wave: 1, server: 'db-extra', step: 'precheck', event: 'started' });
    const report = reportOf(journal);
    expect(report.servers.map((server) => server.name)).toEqual(['db-a1', 'db-b1', 'db-c1', 'db-extra']);
  });

  it('gives a wave with no records a report of planned servers, not started', () => {
    const report = buildWaveReport({
      campaign: 'fleet-5158',
      wave: 3,
      records: healthyWave().records,
      plannedServers: PLANNED_SERVERS,
      limits: LIMITS,
      now: 0,
    });
    expect(report.status).toBe('not-started');
    expect(report.summary.notExecuted).toBe(3);
  });
});

describe('a shutdown against its budget', () => {
  function shutdownOf(journal: SyntheticJournal) {
    return reportOf(journal).servers.find((server) => server.name === 'db-a1')?.shutdown;
  }

  it("takes the shutdown step's own decision and the budget it applied", () => {
    const journal = new SyntheticJournal().waveStarted(1, ['db-a1']);
    journal.step(1, 'db-a1', 'shutdown', 90_000, {
      detail: { budgetMs: 60_000, hardLimitMs: 120_000, elapsedMs: 88_000, clean: true, overBudget: true },
    });
    expect(shutdownOf(journal)).toMatchObject({ budgetMs: 60_000, overBudget: true });
  });

  it('measures a shutdown still running against the campaign budget', () => {
    const journal = new SyntheticJournal().waveStarted(1, ['db-a1']);
    journal.add({ kind: 'step', wave: 1, server: 'db-a1', step: 'shutdown', event: 'started' });
    journal.wait(LIMITS.shutdownBudgetMs + 1);
    expect(shutdownOf(journal)).toMatchObject({ budgetMs: LIMITS.shutdownBudgetMs, overBudget: true });
  });
});
