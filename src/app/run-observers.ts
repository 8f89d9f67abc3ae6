import { join, resolve } from 'node:path';
import type { EngineEvents } from '../engine/events/engine-events.js';
import type { JournalRecord } from '../engine/journal/journal-record.js';
import { attachJournal } from '../engine/journal/journal-subscriber.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import { allowedFailures } from '../engine/wave/failure-budget.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { PlannedWave } from '../model/plan.js';
import { attachEventLog, EVENT_LOG_FILE } from '../observers/event-log.js';
import { tapJournal } from '../observers/journal-tap.js';
import { type MetricsServer, serveMetrics } from '../observers/metrics/metrics-server.js';
import { TextfileWriter } from '../observers/metrics/textfile-writer.js';
import { WaveMetrics } from '../observers/metrics/wave-metrics.js';
import { RunBroadcast, type RunBroadcastOptions } from '../observers/run-broadcast.js';
import { attachProgressView, type ProgressStream } from '../observers/terminal/progress-view.js';

export interface RunObserverOptions<Store extends JournalStore> {
  readonly events: EngineEvents;
  /**
   * The journal store the engine appends to. Its subscriber is attached before the terminal view
   * and the structured log: every line an operator reads (or a script waits for) is already on
   * disk, so a run killed right after printing "shutdown started" leaves that record behind.
   */
  readonly journal: Store;
  readonly campaign: Pick<Campaign, 'campaign' | 'target503' | 'shutdown' | 'stats' | 'failureBudget'>;
  readonly wave: PlannedWave;
  /** The campaign's state dir: the structured log goes beside the journal. */
  readonly stateDir: string;
  readonly clock: Clock;
  /** The operator's terminal (process.stdout). */
  readonly stream: ProgressStream;
  /** The journal so far (a resumed wave): metrics start from it rather than from zero. */
  readonly journalSoFar?: readonly JournalRecord[];
  /** `--metrics-port P`: serve /metrics on P (0: any free port). */
  readonly metricsPort?: number;
  /** Default 127.0.0.1. */
  readonly metricsHost?: string;
  /** `--metrics-textfile FILE`: node_exporter textfile, rewritten atomically as the wave goes. */
  readonly metricsTextfile?: string;
  /** `false` turns the terminal view off (`--quiet`, `--json`); default: on. */
  readonly progress?: boolean;
  /** Warnings (a metrics port in use, a textfile that cannot be written): stderr. */
  readonly warn?: (message: string) => void;
  /** Each server's `instance` label (the campaign's metrics.instance rendered); none by default. */
  readonly instanceOf?: (server: string) => string | undefined;
  /** How often the run's heartbeat metric (and the textfile) is refreshed (default 15 s). */
  readonly heartbeatMs?: number;
  /** The run's own status broadcast (the campaign's notify targets), when it has any. */
  readonly broadcast?: Omit<RunBroadcastOptions, 'journalSoFar' | 'clock'>;
}

export interface RunObservers<Store extends JournalStore> {
  /** The journal store wrapped so that metrics see every durable record: append through this. */
  readonly journal: Store;
  readonly metrics: WaveMetrics;
  /** Where /metrics is served, when `metricsPort` was given. */
  readonly metricsUrl?: string;
  /** Runs a question at the terminal with the live view out of its way (see ProgressView.hold). */
  holdView<T>(question: () => Promise<T>): Promise<T>;
  /** Flushes the textfile and the log, stops the server and the terminal view. Never throws. */
  close(): Promise<void>;
}

/**
 * Everything that watches a run: the terminal view, the structured log, Prometheus metrics
 * (endpoint and textfile), the status broadcast, and the journal subscriber ahead of them all. `dbwave run` calls this
 * once before the wave, appends its own records through `journal`, and calls `close()` when the
 * wave returns, also after a failure.
 */
export async function attachRunObservers<Store extends JournalStore>(
  options: RunObserverOptions<Store>,
): Promise<RunObservers<Store>> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`dbwave: ${message}\n`));
  const classes = new Map(options.wave.servers.map((server) => [server.name, server.class]));
  const metrics = new WaveMetrics({
    campaign: options.campaign.campaign,
    classOf: (server) => classes.get(server),
    innodbSettings: options.campaign.stats,
    ...(options.instanceOf === undefined ? {} : { instanceOf: options.instanceOf }),
    limits: { target503Ms: options.campaign.target503, shutdownBudgetMs: options.campaign.shutdown.budget },
    failureBudget: {
      wave: options.wave.index,
      allowed: allowedFailures(options.campaign.failureBudget, options.wave.servers.length),
    },
  });
  for (const record of options.journalSoFar ?? []) metrics.observe(record);
  metrics.runAlive(options.wave.index, options.clock.now());

  const textfile =
    options.metricsTextfile === undefined
      ? undefined
      : new TextfileWriter(resolve(options.metricsTextfile), () => metrics.text());
  let warnedTextfile = false;
  const refreshTextfile = (): void => {
    void textfile?.update().then(() => {
      if (textfile.error !== undefined && !warnedTextfile) {
        warnedTextfile = true;
        warn(
          `cannot write the metrics textfile ${options.metricsTextfile}: ${String(textfile.error)}; the wave goes on`,
        );
      }
    });
  };
  refreshTextfile();
  // The heartbeat that tells a live run from a dead one (the DbwaveRunGone rule): the textfile
  // outlives the process, so its last heartbeat ages once nothing refreshes it. A timer, like the
  // lock's heartbeat, that never keeps the process alive.
  const heartbeat = setInterval(() => {
    metrics.runAlive(options.wave.index, options.clock.now());
    refreshTextfile();
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  let server: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    try {
      server = await serveMetrics({
        registry: metrics.registry,
        port: options.metricsPort,
        ...(options.metricsHost === undefined ? {} : { host: options.metricsHost }),
      });
    } catch (error) {
      warn(
        `cannot serve metrics on port ${options.metricsPort}: ${String(error)}; the wave goes on without them`,
      );
    }
  }

  const broadcast =
    options.broadcast === undefined
      ? undefined
      : new RunBroadcast({
          ...options.broadcast,
          clock: options.clock,
          ...(options.journalSoFar === undefined ? {} : { journalSoFar: options.journalSoFar }),
        });
  const journal = tapJournal(options.journal, (record) => {
    metrics.observe(record);
    refreshTextfile();
    broadcast?.observe(record);
  });
  // First subscriber: the engine awaits each listener in turn, so the record is durable before
  // anything below shows the event.
  const detachJournal = attachJournal(options.events, journal);

  const log = attachEventLog({
    events: options.events,
    path: join(options.stateDir, EVENT_LOG_FILE),
    campaign: options.campaign.campaign,
  });
  const view =
    options.progress === false
      ? undefined
      : attachProgressView({
          events: options.events,
          clock: options.clock,
          stream: options.stream,
          campaign: options.campaign.campaign,
          wave: options.wave.index,
          servers: options.wave.servers.map((planned) => planned.name),
          target503Ms: options.campaign.target503,
          shutdownBudgetMs: options.campaign.shutdown.budget,
        });

  broadcast?.start();

  return {
    journal,
    holdView: (question) => (view === undefined ? question() : view.hold(question)),
    metrics,
    ...(server === undefined ? {} : { metricsUrl: server.url }),
    close: async () => {
      detachJournal();
      clearInterval(heartbeat);
      metrics.runEnded(options.wave.index, options.clock.now());
      await broadcast?.stop();
      view?.close();
      await log.close();
      if (log.error !== undefined) warn(`the structured log could not be written: ${String(log.error)}`);
      await textfile?.update();
      await server?.close();
    },
  };
}
