import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { compareJournaled } from '../../analysis/journaled-comparison.js';
import type {
  JournalRecord,
  ServerOutcome,
  StatsRecord,
  StepName,
} from '../../engine/journal/journal-record.js';
import { SERVER_OUTCOMES } from '../../engine/journal/journal-record.js';
import { isFailureOutcome } from '../../engine/wave/failure-budget.js';
import { opensWindow, windowOpenerOf } from '../../model/step-facts.js';
import type { ComparisonSettings } from '../../stats/compare/comparison-settings.js';

export interface WaveMetricsOptions {
  readonly campaign: string;
  /** A server's hardware class, from the plan; `unknown` when it has none. */
  readonly classOf: (server: string) => string | undefined;
  /** The campaign's `stats` settings for the InnoDB comparison; default: the campaign's defaults. */
  readonly innodbSettings?: ComparisonSettings;
  /**
   * A server's `instance` label: its mysqld_exporter target as Prometheus names it (the
   * campaign's `metrics.instance`), so that the per-server gauges join mysqld_exporter's series.
   */
  readonly instanceOf?: (server: string) => string | undefined;
  /** The campaign's limits, exported once so that alert rules compare against them. */
  readonly limits?: {
    readonly target503Ms: number;
    readonly shutdownBudgetMs: number;
  };
  /** The run's wave and how many failures it may absorb (the failure budget as a count). */
  readonly failureBudget?: { readonly wave: number; readonly allowed: number };
}

const SERVER_LABELS = ['campaign', 'wave', 'class', 'server'] as const;
/** The per-server gauges: one series per server (bounded by the wave), joinable on `instance`. */
const INSTANCE_LABELS = [...SERVER_LABELS, 'instance'] as const;

function seconds(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from)) / 1000;
}

/**
 * The wave's Prometheus metrics, on a registry of their own (never prom-client's global one, so
 * that two runs in one process, or a test, never share counters). Fed journal records one by
 * one, in order: the same view of the journal as the report, live. The fields below are a
 * deliberate table, one metric each: alike in shape because prom-client declares them so.
 */
export class WaveMetrics {
  readonly registry = new Registry();
  private readonly options: WaveMetricsOptions;

  private readonly window = new Histogram({
    name: 'dbwave_window_503_seconds',
    help: 'User-facing 503 window per server, from the confirmed opening to the closing (step: which window)',
    labelNames: [...SERVER_LABELS, 'step'],
    buckets: [30, 60, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600],
    registers: [this.registry],
  });
  private readonly shutdown = new Histogram({
    name: 'dbwave_shutdown_seconds',
    help: 'Clean shutdown (innodb_fast_shutdown=0) per server, from the stop to the clean exit',
    labelNames: SERVER_LABELS,
    buckets: [10, 30, 60, 120, 300, 600, 900, 1800, 2700, 3600, 5400, 7200],
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'dbwave_step_duration_seconds',
    help: 'Duration of each step that succeeded or failed',
    labelNames: [...SERVER_LABELS, 'step', 'result'],
    buckets: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly servers = new Gauge({
    name: 'dbwave_servers',
    help: 'Servers of the wave by state (NotExecuted, InProgress, Upgraded, RolledBack, NeedsPerson...)',
    labelNames: ['campaign', 'wave', 'class', 'state'],
    registers: [this.registry],
  });
  private readonly currentStep = new Gauge({
    name: 'dbwave_server_step',
    help: '1 for the step each in-flight server is in',
    labelNames: [...SERVER_LABELS, 'step'],
    registers: [this.registry],
  });
  private readonly windowOpen = new Gauge({
    name: 'dbwave_window_open',
    help: "1 while a server's 503 window is open (opening confirmed, closing not yet)",
    labelNames: SERVER_LABELS,
    registers: [this.registry],
  });
  private readonly rollbacks = new Counter({
    name: 'dbwave_rollbacks_total',
    help: 'Servers rolled back to the old version',
    labelNames: SERVER_LABELS,
    registers: [this.registry],
  });
  private readonly gateVerdicts = new Counter({
    name: 'dbwave_gate_verdicts_total',
    help: 'Gate verdicts by phase, gate and verdict (pass, fail, inconclusive)',
    labelNames: [...SERVER_LABELS, 'phase', 'gate', 'verdict'],
    registers: [this.registry],
  });
  private readonly innodbShift = new Gauge({
    name: 'dbwave_innodb_rate_shift_ratio',
    help: 'Relative change of an InnoDB rate after the upgrade against the baseline ((after - before) / before)',
    labelNames: [...SERVER_LABELS, 'metric', 'verdict'],
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'dbwave_alerts_total',
    help: 'Alerts: shutdown over budget, window over target, failure budget exceeded, stale lock',
    labelNames: [...SERVER_LABELS, 'alert'],
    registers: [this.registry],
  });
  private readonly shutdownEta = new Gauge({
    name: 'dbwave_shutdown_eta_seconds',
    help: 'Estimated time left of a clean shutdown in progress, from dirty pages and history list length',
    labelNames: SERVER_LABELS,
    registers: [this.registry],
  });
  private readonly failures = new Gauge({
    name: 'dbwave_failures',
    help: 'Servers of the wave that ended not upgraded (what the failure budget counts)',
    labelNames: ['campaign', 'wave'],
    registers: [this.registry],
  });
  private readonly lastRecord = new Gauge({
    name: 'dbwave_last_record_timestamp_seconds',
    help: 'When the journal last recorded anything: a stalled run shows as an old timestamp',
    labelNames: ['campaign'],
    registers: [this.registry],
  });

  private readonly serverWindow = new Gauge({
    name: 'dbwave_server_window_503_seconds',
    help: "Length of the server's last closed 503 window (step: which window); one series per server",
    labelNames: [...INSTANCE_LABELS, 'step'],
    registers: [this.registry],
  });
  private readonly serverShutdown = new Gauge({
    name: 'dbwave_server_shutdown_seconds',
    help: "Length of the server's clean shutdown; one series per server",
    labelNames: INSTANCE_LABELS,
    registers: [this.registry],
  });
  private readonly windowOpenedAt = new Gauge({
    name: 'dbwave_window_opened_timestamp_seconds',
    help: "When the server's open 503 window opened; present only while it is open",
    labelNames: INSTANCE_LABELS,
    registers: [this.registry],
  });
  private readonly shutdownStartedAt = new Gauge({
    name: 'dbwave_shutdown_started_timestamp_seconds',
    help: "When the server's clean shutdown started; present only while it runs",
    labelNames: INSTANCE_LABELS,
    registers: [this.registry],
  });
  private readonly target503 = new Gauge({
    name: 'dbwave_window_503_target_seconds',
    help: "The campaign's target for each server's 503 window (target503)",
    labelNames: ['campaign'],
    registers: [this.registry],
  });
  private readonly shutdownBudget = new Gauge({
    name: 'dbwave_shutdown_budget_seconds',
    help: "The campaign's budget for each clean shutdown (shutdown.budget)",
    labelNames: ['campaign'],
    registers: [this.registry],
  });
  private readonly failuresAllowed = new Gauge({
    name: 'dbwave_failure_budget_allowed',
    help: 'Failures the wave may absorb; one more (dbwave_failures above this) halts it',
    labelNames: ['campaign', 'wave'],
    registers: [this.registry],
  });
  private readonly runActive = new Gauge({
    name: 'dbwave_run_active',
    help: '1 while a dbwave run drives the wave, 0 once it ended (cleanly or by Ctrl-C)',
    labelNames: ['campaign', 'wave'],
    registers: [this.registry],
  });
  private readonly runHeartbeat = new Gauge({
    name: 'dbwave_run_heartbeat_timestamp_seconds',
    help: "The run's last sign of life, refreshed every few seconds: an old one with dbwave_run_active 1 is a run gone",
    labelNames: ['campaign', 'wave'],
    registers: [this.registry],
  });

  private readonly states = new Map<string, { wave: number; state: ServerOutcome }>();
  private readonly started = new Map<string, string>();
  private readonly stepOf = new Map<string, StepName>();
  private readonly baselines = new Map<string, StatsRecord>();
  private readonly controls = new Map<string, StatsRecord[]>();
  /** Each server's latest `after` or `recheck` sampling, which a `history` record is the baseline of. */
  private readonly laterSamplings = new Map<string, StatsRecord>();

  constructor(options: WaveMetricsOptions) {
    this.options = options;
    const campaign = { campaign: options.campaign };
    if (options.limits !== undefined) {
      this.target503.set(campaign, options.limits.target503Ms / 1000);
      this.shutdownBudget.set(campaign, options.limits.shutdownBudgetMs / 1000);
    }
    if (options.failureBudget !== undefined) {
      this.failuresAllowed.set(
        { ...campaign, wave: String(options.failureBudget.wave) },
        options.failureBudget.allowed,
      );
    }
  }

  /** The run of `wave` is alive at `now` (ms): sets dbwave_run_active and its heartbeat. */
  runAlive(wave: number, now: number): void {
    const labels = { campaign: this.options.campaign, wave: String(wave) };
    this.runActive.set(labels, 1);
    this.runHeartbeat.set(labels, now / 1000);
  }

  /** The run of `wave` ended as it should (whatever the wave's outcome): it is not gone. */
  runEnded(wave: number, now: number): void {
    const labels = { campaign: this.options.campaign, wave: String(wave) };
    this.runActive.set(labels, 0);
    this.runHeartbeat.set(labels, now / 1000);
  }

  /** Feeds one record; records must come in journal order. Never throws for an odd record. */
  observe(record: JournalRecord): void {
    this.lastRecord.set({ campaign: this.options.campaign }, Date.parse(record.at) / 1000);
    switch (record.kind) {
      case 'wave':
        for (const server of record.servers ?? []) {
          if (!this.states.has(server)) this.states.set(server, { wave: record.wave, state: 'NotExecuted' });
        }
        this.refreshStates();
        return;
      case 'step':
        this.observeStep(record);
        return;
      case 'outcome': {
        this.states.set(record.server, { wave: record.wave, state: record.outcome });
        if (record.outcome === 'RolledBack') this.rollbacks.inc(this.labels(record.wave, record.server));
        this.clearStep(record.wave, record.server);
        this.shutdownEta.remove(this.labels(record.wave, record.server));
        this.refreshStates();
        return;
      }
      case 'gate':
        this.gateVerdicts.inc({
          ...this.labels(record.wave, record.server),
          phase: record.phase,
          gate: record.gate,
          verdict: record.verdict,
        });
        return;
      case 'alert':
        this.alerts.inc({ ...this.labels(record.wave, record.server ?? ''), alert: record.alert });
        return;
      case 'progress':
        if (record.step === 'shutdown' && record.etaMs !== undefined) {
          this.shutdownEta.set(this.labels(record.wave, record.server), record.etaMs / 1000);
        }
        return;
      case 'stats':
        this.observeStats(record);
        return;
    }
  }

  /** The text exposition format (also node_exporter's textfile format). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  private labels(wave: number, server: string): Record<(typeof SERVER_LABELS)[number], string> {
    return {
      campaign: this.options.campaign,
      wave: String(wave),
      class: server === '' ? '' : (this.options.classOf(server) ?? 'unknown'),
      server,
    };
  }

  private instanceLabels(wave: number, server: string): Record<(typeof INSTANCE_LABELS)[number], string> {
    return { ...this.labels(wave, server), instance: this.options.instanceOf?.(server) ?? '' };
  }

  private observeStep(record: Extract<JournalRecord, { kind: 'step' }>): void {
    const key = `${record.server}\u0000${record.step}`;
    const labels = this.labels(record.wave, record.server);
    const instance = this.instanceLabels(record.wave, record.server);
    if (record.step === 'shutdown') {
      if (record.event === 'started') this.shutdownStartedAt.set(instance, Date.parse(record.at) / 1000);
      else this.shutdownStartedAt.remove(instance);
    }
    const current = this.states.get(record.server);
    if (current === undefined || current.state === 'NotExecuted') {
      this.states.set(record.server, { wave: record.wave, state: 'InProgress' });
      this.refreshStates();
    }
    if (record.event === 'started') {
      this.started.set(key, record.at);
      this.clearStep(record.wave, record.server);
      this.currentStep.set({ ...labels, step: record.step }, 1);
      this.stepOf.set(record.server, record.step);
      return;
    }
    const startedAt = this.started.get(key);
    this.started.delete(key);
    if (startedAt !== undefined && record.event !== 'skipped') {
      const duration = seconds(startedAt, record.at);
      this.stepDuration.observe({ ...labels, step: record.step, result: record.event }, duration);
      if (record.step === 'shutdown' && record.event === 'succeeded') {
        this.shutdown.observe(labels, duration);
        this.serverShutdown.set(instance, duration);
        this.shutdownEta.remove(labels);
      }
    }
    if (record.event === 'succeeded' && opensWindow(record.step)) {
      this.started.set(`${record.server}\u0000window:${record.step}`, record.at);
      this.windowOpen.set(labels, 1);
      this.windowOpenedAt.set(instance, Date.parse(record.at) / 1000);
    }
    const opener = windowOpenerOf(record.step);
    if (opener !== undefined && (record.event === 'succeeded' || record.event === 'skipped')) {
      const windowKey = `${record.server}\u0000window:${opener}`;
      const openedAt = this.started.get(windowKey);
      if (openedAt !== undefined) {
        this.window.observe({ ...labels, step: opener }, seconds(openedAt, record.at));
        this.serverWindow.set({ ...instance, step: opener }, seconds(openedAt, record.at));
      }
      this.started.delete(windowKey);
      this.windowOpen.set(labels, 0);
      this.windowOpenedAt.remove(instance);
    }
  }

  private observeStats(record: StatsRecord): void {
    if (record.phase === 'baseline') {
      this.baselines.set(record.server, record);
      return;
    }
    if (record.phase === 'control') {
      if (record.controlFor !== undefined) {
        this.controls.set(record.controlFor, [...(this.controls.get(record.controlFor) ?? []), record]);
      }
      return;
    }
    // A history baseline is journaled just after the sampling it is for: compare that sampling again.
    const later = record.phase === 'history' ? this.laterSamplings.get(record.server) : record;
    if (later === undefined) return;
    if (record.phase !== 'history') this.laterSamplings.set(record.server, record);
    const baseline = this.baselines.get(record.server);
    if (baseline === undefined) return;
    const comparison = compareJournaled(
      {
        baseline,
        after: later,
        controls: this.controls.get(record.server) ?? [],
        history: record.phase === 'history' ? record : undefined,
      },
      this.options.innodbSettings,
    );
    const labels = this.labels(record.wave, record.server);
    for (const metric of comparison.metrics) {
      if (metric.change === undefined) continue;
      this.innodbShift.set({ ...labels, metric: metric.name, verdict: metric.finding }, metric.change);
    }
  }

  private clearStep(wave: number, server: string): void {
    const previous = this.stepOf.get(server);
    if (previous === undefined) return;
    this.currentStep.remove({ ...this.labels(wave, server), step: previous });
    this.stepOf.delete(server);
  }

  private refreshStates(): void {
    this.servers.reset();
    this.failures.reset();
    const counts = new Map<string, number>();
    const failures = new Map<number, number>();
    for (const [server, { wave, state }] of this.states) {
      const key = `${wave}\u0000${this.options.classOf(server) ?? 'unknown'}\u0000${state}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      failures.set(wave, (failures.get(wave) ?? 0) + (isFailureOutcome(state) ? 1 : 0));
    }
    // Every state of every class that has servers gets a series, zeros included, so that a
    // dashboard's stacked panel does not lose a colour when its count drops to 0.
    const classesByWave = new Map<number, Set<string>>();
    for (const [server, { wave }] of this.states) {
      const set = classesByWave.get(wave) ?? new Set<string>();
      set.add(this.options.classOf(server) ?? 'unknown');
      classesByWave.set(wave, set);
    }
    for (const [wave, classes] of classesByWave) {
      for (const serverClass of classes) {
        for (const state of SERVER_OUTCOMES) {
          const count = counts.get(`${wave}\u0000${serverClass}\u0000${state}`) ?? 0;
          this.servers.set(
            { campaign: this.options.campaign, wave: String(wave), class: serverClass, state },
            count,
          );
        }
      }
    }
    for (const [wave, count] of failures)
      this.failures.set({ campaign: this.options.campaign, wave: String(wave) }, count);
  }
}
