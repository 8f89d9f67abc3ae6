import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalRecord,
  type StepName,
  stampRecord,
  stepFields,
} from '../../../src/engine/journal/journal-record.js';
import type { StepDetail } from '../../../src/engine/journal/step-detail.js';

/**
 * Journals written the way the engine writes them (journal-record.ts), record by record, on a
 * clock the test moves: a healthy wave, a rollback, a wave killed mid-way.
 */
export class SyntheticJournal {
  readonly records: JournalRecord[] = [];
  private now: number;

  constructor(
    readonly campaign = 'fleet-5158',
    start = Date.parse('2011-09-20T16:00:00Z'),
  ) {
    this.now = start;
  }

  /** Moves the clock on. */
  wait(ms: number): this {
    this.now += ms;
    return this;
  }

  get clock(): number {
    return this.now;
  }

  /** The `run` of a wave starts with these servers. */
  waveStarted(wave: number, servers: readonly string[]): this {
    this.add({ kind: 'wave', wave, event: 'started', servers: [...servers], action: 'run' });
    return this;
  }

  add(entry: JournalEntry): JournalRecord {
    const record = stampRecord(entry, {
      v: JOURNAL_VERSION,
      seq: this.records.length + 1,
      at: new Date(this.now).toISOString(),
      campaign: this.campaign,
    });
    this.records.push(record);
    return record;
  }

  step<S extends StepName>(
    wave: number,
    server: string,
    step: S,
    durationMs: number,
    options: {
      readonly fail?: string;
      readonly startDetail?: StepDetail<S>;
      readonly detail?: StepDetail<S>;
    } = {},
  ): this {
    this.add({ kind: 'step', wave, server, ...stepFields(step, options.startDetail), event: 'started' });
    this.wait(durationMs);
    this.add({
      kind: 'step',
      wave,
      server,
      ...stepFields(step, options.detail),
      event: options.fail === undefined ? 'succeeded' : 'failed',
      ...(options.fail === undefined ? {} : { error: { code: 'STEP_FAILED', message: options.fail } }),
    });
    return this;
  }

  stats(
    wave: number,
    server: string,
    phase: 'baseline' | 'after' | 'control',
    series: Record<string, number[]>,
    controlFor?: string,
  ): this {
    this.add({
      kind: 'stats',
      wave,
      server,
      phase,
      intervalMs: 10_000,
      series,
      ...(controlFor === undefined ? {} : { controlFor }),
    });
    return this;
  }

  /** The steps up to a closed-for-business server: precheck, baseline, pre-flush, window open, shutdown. */
  upToShutdown(wave: number, server: string, shutdownMs = 240_000): this {
    this.step(wave, server, 'precheck', 2_000, { detail: { version: '10.11.18-MariaDB' } });
    this.step(wave, server, 'baseline', 60_000);
    this.stats(wave, server, 'baseline', {
      rows_read: [1000, 1010, 990, 1005, 995, 1000],
      data_fsyncs: [50, 52, 48, 50, 51, 49],
    });
    this.step(wave, server, 'preflush', 45_000, {
      startDetail: { dirtyPagesBefore: 18_000 },
      detail: { endedBy: 'target', reachedTarget: true, dirtyPages: 800 },
    });
    this.step(wave, server, 'window-open', 500);
    this.add({ kind: 'step', wave, server, step: 'shutdown', event: 'started' });
    this.wait(shutdownMs / 2);
    this.add({
      kind: 'progress',
      wave,
      server,
      step: 'shutdown',
      dirtyPages: 400,
      historyListLength: 120,
      etaMs: shutdownMs / 2,
    });
    this.wait(shutdownMs / 2);
    this.add({ kind: 'step', wave, server, step: 'shutdown', event: 'succeeded', detail: { clean: true } });
    return this;
  }

  healthyServer(
    wave: number,
    server: string,
    options: { shutdownMs?: number; fsyncsAfter?: number } = {},
  ): this {
    this.upToShutdown(wave, server, options.shutdownMs);
    this.step(wave, server, 'upgrade', 30_000);
    this.step(wave, server, 'start', 20_000);
    this.step(wave, server, 'post-upgrade', 15_000);
    this.step(wave, server, 'verify', 1_000, { detail: { version: '10.11.19-MariaDB' } });
    this.step(wave, server, 'readiness-gates', 3_000);
    this.add({
      kind: 'gate',
      wave,
      server,
      phase: 'readiness',
      gate: 'reachable',
      verdict: 'pass',
      evidence: 'answered in 4ms',
    });
    this.add({
      kind: 'gate',
      wave,
      server,
      phase: 'readiness',
      gate: 'error-log',
      verdict: 'pass',
      evidence: 'no error lines since start',
    });
    this.step(wave, server, 'window-close', 500);
    this.add({ kind: 'step', wave, server, step: 'analysis-gates', event: 'started' });
    this.wait(120_000);
    const fsyncs = options.fsyncsAfter ?? 50;
    this.stats(wave, server, 'after', {
      rows_read: [1000, 1010, 990, 1005, 995, 1000],
      data_fsyncs: [fsyncs + 1, fsyncs, fsyncs - 1, fsyncs + 2, fsyncs, fsyncs - 2],
    });
    const pass = fsyncs <= 75;
    this.add({
      kind: 'gate',
      wave,
      server,
      phase: 'analysis',
      gate: 'innodb',
      verdict: pass ? 'pass' : 'fail',
      evidence: pass ? 'every judged rate within its threshold' : `data_fsyncs ${fsyncs}/s vs 50/s`,
    });
    this.add({ kind: 'step', wave, server, step: 'analysis-gates', event: pass ? 'succeeded' : 'failed' });
    if (pass) this.add({ kind: 'outcome', wave, server, outcome: 'Upgraded' });
    return this;
  }

  /** Start fails on the new version: rolled back inside the first window. */
  startFailsServer(wave: number, server: string): this {
    this.upToShutdown(wave, server);
    this.step(wave, server, 'upgrade', 30_000);
    this.step(wave, server, 'start', 60_000, { fail: 'mariadbd exited with status 1' });
    this.step(wave, server, 'rollback-package', 25_000);
    this.step(wave, server, 'rollback-start', 20_000);
    this.step(wave, server, 'rollback-verify', 1_000, { detail: { version: '10.11.18-MariaDB' } });
    this.step(wave, server, 'window-close', 500);
    this.add({
      kind: 'outcome',
      wave,
      server,
      outcome: 'RolledBack',
      reason: 'start failed: mariadbd exited with status 1',
    });
    return this;
  }
}

/** The JSON-lines text of a journal, with an optional torn last line as a crash leaves it. */
export function journalText(records: readonly JournalRecord[], tornTail?: string): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('') + (tornTail ?? '');
}

/** Wave 1 of three servers, all upgraded. */
export function healthyWave(): SyntheticJournal {
  const journal = new SyntheticJournal().waveStarted(1, ['db-a1', 'db-b1', 'db-c1']);
  journal.healthyServer(1, 'db-a1');
  journal.healthyServer(1, 'db-b1', { shutdownMs: 600_000 });
  journal.healthyServer(1, 'db-c1');
  journal.add({ kind: 'wave', wave: 1, event: 'finished' });
  return journal;
}

/** Wave 1: one server upgraded, one rolled back when it would not start. */
export function rollbackWave(): SyntheticJournal {
  const journal = new SyntheticJournal().waveStarted(1, ['db-a1', 'db-b1']);
  journal.healthyServer(1, 'db-a1');
  journal.startFailsServer(1, 'db-b1');
  journal.add({ kind: 'wave', wave: 1, event: 'finished' });
  return journal;
}

/** Wave 1 with its first server upgraded and its second in its shutdown; the third not started. */
export function waveInShutdown(): SyntheticJournal {
  const journal = new SyntheticJournal().waveStarted(1, ['db-a1', 'db-b1', 'db-c1']);
  journal.healthyServer(1, 'db-a1');
  journal.step(1, 'db-b1', 'precheck', 2_000, { detail: { version: '10.11.18-MariaDB' } });
  journal.step(1, 'db-b1', 'window-open', 500);
  journal.add({ kind: 'step', wave: 1, server: 'db-b1', step: 'shutdown', event: 'started' });
  return journal;
}

/** Wave 1 killed a minute into the second server's shutdown; the third never started. */
export function killedWave(): SyntheticJournal {
  return waveInShutdown().wait(60_000);
}

export const PLANNED_SERVERS = [
  { name: 'db-a1', class: 'ix-6' },
  { name: 'db-b1', class: 'ix-24' },
  { name: 'db-c1', class: 'cuil-9' },
] as const;

export const LIMITS = { target503Ms: 600_000, shutdownBudgetMs: 3_600_000, failureBudget: 1 } as const;
