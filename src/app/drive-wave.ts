import { join, relative, resolve } from 'node:path';
import { CommandOutputStore } from '../adapters/output/command-output-store.js';
import { canaryBakeComparison } from '../analysis/canary-bake-comparison.js';
import { formatDuration } from '../core/duration.js';
import { ExitStatus } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { EngineEvents, type OrderOverride } from '../engine/events/engine-events.js';
import type { JournalRecord } from '../engine/journal/journal-record.js';
import { replayJournal } from '../engine/journal/journal-replay.js';
import { describeNarrowed } from '../engine/lock/private-state-dir.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import type { MetricHistory } from '../engine/ports/metric-history.js';
import type { ServerConnectors } from '../engine/ports/server-connectors.js';
import type { CanaryStageOptions } from '../engine/wave/canary-stage.js';
import { SharedCanaryStageError } from '../engine/wave/shared-canary-error.js';
import { runWave } from '../engine/wave/wave-runner.js';
import { createStatsAndGatesHooks, type StatsAndGatesPorts } from '../gates/probes/stats-and-gates-hooks.js';
import { DEFAULT_BROADCAST_EVERY_MS } from '../model/campaign-schema.js';
import { metricsInstance } from '../model/metrics-instance.js';
import type { ServerResolver } from '../model/resolve-server.js';
import { serverResolver } from '../model/resolve-server.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import type { ServerSelector } from '../model/server-selector.js';
import { expectedServerMs } from '../planner/capacity-estimate.js';
import { handoffsOf } from '../report/in-charge.js';
import { StatusNotifier } from '../report/status-notifier.js';
import { type CampaignAdapters, campaignAdapters } from './campaign-adapters.js';
import { type HeldCampaign, openCampaignState } from './campaign-state.js';
import { resolveNotifyTargets } from './notify-targets.js';
import { attachRunObservers, type RunObservers } from './run-observers.js';
import type { RunServices } from './run-services.js';
import { takeSoakPointsWhileRunning } from './run-soak-points.js';
import type { RunnableWave } from './runnable-wave.js';
import { statsAndGatesPorts } from './stats-and-gates-ports.js';
import { waveCanaries } from './wave-canaries.js';
import { reportFor } from './wave-journal-report.js';
import { type WaveAction, waveSummary } from './wave-summary.js';

/** What `dbwave run` and `dbwave rollback` hand to the engine once the command is checked. */
export interface DriveWaveOptions {
  readonly runnable: RunnableWave;
  /** The plan file as the operator named it (for the `status` hint at the end). */
  readonly plan: string;
  readonly metricsPort?: number | undefined;
  readonly metricsHost?: string | undefined;
  readonly metricsTextfile?: string | undefined;
  readonly services: RunServices;
  readonly action: WaveAction;
  readonly rollbackReason?: string;
  /** `--runner NAME`: the lease's name in a MySQL state store. */
  readonly runner?: string | undefined;
  /** The servers to run, from the journal as it is once the lock is held. */
  readonly servers: (history: readonly JournalRecord[]) => readonly ResolvedServer[];
  /**
   * `run --only`: this runner's share of those servers. With a shared (MySQL) store the runner
   * claims its share through the store, with the wave's limits decided across every runner.
   */
  readonly only?: ServerSelector;
  /**
   * The wave order, checked again on the journal as it is once the lock is held (another run may
   * have changed it since the operator was asked): throws to refuse, returns the override to journal.
   */
  readonly order?: (history: readonly JournalRecord[]) => OrderOverride | undefined;
  /**
   * Checks made once the adapters exist and before the first server (run's topology precheck);
   * false stops the wave with nothing touched (exit 1). `holdView` keeps the live view from
   * redrawing over a question.
   */
  readonly precheck?: (
    connectors: ServerConnectors,
    servers: readonly ResolvedServer[],
    holdView: <T>(ask: () => Promise<T>) => Promise<T>,
  ) => Promise<boolean>;
}

/**
 * Takes the campaign's lock, attaches the journal (one store: the engine's records and the
 * hooks' share its seq), the metrics and the progress view, builds the adapters and the stats
 * and gates hooks, and runs the wave (or rolls it back). Exit 0 only when every server ended as
 * asked: Upgraded or AlreadyUpgraded for a run, RolledBack for a rollback.
 */
export async function driveWave(options: DriveWaveOptions): Promise<ExitStatus> {
  const { runnable, services } = options;
  const { loaded, wave, stateDir, shownCampaign } = runnable;
  const { streams, clock } = services;
  const { campaign, classes, campaignFile } = loaded.inventory;
  // Read before the lock: a routing key that cannot be read is exit 2 with nothing written.
  const notify = await resolveNotifyTargets({
    campaign,
    campaignFile,
    shownCampaignFile: shownCampaign,
    env: services.env ?? process.env,
  });
  for (const line of notify.unset) streams.stderr.write(`dbwave: ${line}\n`);
  const state = await openCampaignState({ campaign, campaignFile, stateDir, clock });
  let held: HeldCampaign;
  try {
    held = await state.hold({
      identity: services.identity,
      purpose: `${options.action} --wave ${wave.index}`,
      runner: options.runner,
    });
  } catch (error) {
    await state.close();
    throw error;
  }
  const { journal, tookOverFrom, narrowed } = held;
  // Rollback is one runner's: only `run` shares a wave.
  const claims = options.action === 'run' ? held.claims?.(wave.index) : undefined;
  const madePrivate = describeNarrowed(stateDir, narrowed);
  if (madePrivate !== undefined) streams.stderr.write(`dbwave: ${madePrivate}\n`);
  let adapters: CampaignAdapters | undefined;
  let observers: RunObservers<HeldCampaign['journal']> | undefined;
  try {
    const history = await journal.read();
    if (claims !== undefined) refuseSharedCanaryStage(runnable, options.plan, history.records);
    const orderOverride = options.order?.(history.records);
    const due = options.servers(history.records);
    const servers = options.only === undefined ? due : due.filter(options.only);
    const events = new EngineEvents();
    const resolver = serverResolver(classes, campaign);
    const instances = new Map(
      wave.servers.flatMap((planned) => {
        const server = resolver.resolve(planned.name);
        return server === undefined ? [] : [[planned.name, metricsInstance(server, campaign, shownCampaign)]];
      }),
    );
    observers = await attachRunObservers({
      events,
      journal,
      campaign,
      wave,
      stateDir,
      clock,
      stream: streams.stdout,
      journalSoFar: history.records,
      instanceOf: (server) => instances.get(server),
      ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
      ...(options.metricsHost === undefined ? {} : { metricsHost: options.metricsHost }),
      ...(options.metricsTextfile === undefined
        ? {}
        : { metricsTextfile: resolve(services.cwd, options.metricsTextfile) }),
      warn: (message) => streams.stderr.write(`dbwave: ${message}\n`),
      ...(notify.targets.length === 0
        ? {}
        : {
            broadcast: {
              notifier: new StatusNotifier({
                targets: notify.targets,
                clock,
                warn: (message) => streams.stderr.write(`dbwave: ${message}\n`),
                ...(services.abort ? { signal: services.abort } : {}),
              }),
              everyMs: campaign.notify?.every ?? DEFAULT_BROADCAST_EVERY_MS,
              timezone: loaded.plan.timezone,
              report: (records, now) => reportFor(runnable, { records }, now),
              handoffs: async () => handoffsOf((await state.read()).records),
            },
          }),
    });
    if (observers.metricsUrl !== undefined) streams.stdout.write(`metrics: ${observers.metricsUrl}\n`);
    // One store for the engine's records and the hooks' stats and gate records: one seq counter.
    const store = observers.journal;
    const at = (): string => new Date(clock.now()).toISOString();
    for (const gone of tookOverFrom) {
      await events.emit('alert', {
        at: at(),
        wave: wave.index,
        alert: 'stale-lock',
        message: `took over the lock of ${gone.user}@${gone.host} pid ${gone.pid} (since ${gone.started}, last heartbeat ${gone.heartbeat}): that run is gone`,
      });
    }
    if (history.tornTail !== undefined) {
      await events.emit('alert', {
        at: at(),
        wave: wave.index,
        alert: 'other',
        message: `the journal's last line was cut short by a crash and was dropped (kept in ${join(stateDir, 'journal.torn')})`,
      });
    }
    adapters = await (services.adapters ?? ((c, f) => campaignAdapters({ campaign: c, campaignFile: f })))(
      campaign,
      campaignFile,
    );
    const connectors = adapters.connectors;
    const held = observers;
    if (
      options.precheck !== undefined &&
      !(await options.precheck(connectors, servers, (ask) => held.holdView(ask)))
    ) {
      return ExitStatus.Unhealthy;
    }
    const hooks =
      services.hooks ??
      createStatsAndGatesHooks(
        statsAndGatesPorts({
          store,
          resolver,
          sql: (server) => connectors.sql(server),
          metricHistory: adapters.metricHistory,
          ask: askWithViewHeld(services.interactive ? services.askInconclusive : undefined, observers),
        }),
      );
    const classConcurrency = new Map(
      classes.map((hardwareClass) => [hardwareClass.id, hardwareClass.concurrency]),
    );
    const classExpectedMs = new Map(
      classes.map((hardwareClass) => [hardwareClass.id, expectedServerMs(hardwareClass, 'p50')]),
    );
    const canary =
      options.action === 'run'
        ? canaryStage(runnable, {
            store,
            resolver,
            clock,
            sql: (server) => connectors.sql(server),
            metricHistory: adapters.metricHistory,
          })
        : undefined;
    // The run holds the campaign: the soak points of the other waves that come due meanwhile are
    // its to take (a shared wave's runners all hold it at once, so there `dbwave soak` takes them).
    const soakPoints =
      options.action === 'run' && claims === undefined && campaign.soak.points.length > 0
        ? takeSoakPointsWhileRunning({
            loaded,
            waves: loaded.plan.waves.map((planned) => planned.index).filter((index) => index !== wave.index),
            // The held journal, not the run's tapped one: the run's views are of its own wave.
            journal,
            sql: (server) => connectors.sql(server),
            metricHistory: adapters.metricHistory,
            clock,
            signal: services.abort ?? new AbortController().signal,
            say: (line) => {
              void held.holdView(async () => streams.stdout.write(`${line}\n`));
            },
          })
        : undefined;
    const result = await runWave({
      campaign,
      campaignFile: shownCampaign,
      wave: wave.index,
      servers,
      waveSize: wave.servers.length,
      classConcurrency: (className) => classConcurrency.get(className),
      classExpectedMs: (className) => classExpectedMs.get(className),
      connectors: adapters.connectors,
      window: adapters.maintenance,
      hooks,
      events,
      clock,
      output: new CommandOutputStore(stateDir),
      history: history.records,
      action: options.action,
      ...(options.rollbackReason === undefined ? {} : { rollbackReason: options.rollbackReason }),
      ...(claims === undefined ? {} : { shared: { claims, wave: due } }),
      ...(claims === undefined && servers.length < due.length
        ? { outsideShare: due.filter((server) => !servers.includes(server)).map((server) => server.name) }
        : {}),
      ...(orderOverride === undefined ? {} : { orderOverride }),
      ...(canary === undefined ? {} : { canary }),
      ...(services.abort ? { signal: services.abort } : {}),
      ...(services.halt ? { halt: services.halt } : {}),
      operator: { user: services.identity.user, host: services.identity.host, pid: services.identity.pid },
    }).finally(() => soakPoints?.stop());
    streams.stdout.write(`\n${waveSummary(result, options.action)}\n`);
    if (result.journalUnwritable) {
      streams.stderr.write(`dbwave: ${printable(result.journalUnwritable.message)}\n`);
    }
    streams.stdout.write(
      `journal: ${journalShown(services.cwd, state.journalWhere)}; command output: ${relative(services.cwd, join(stateDir, 'output')) || join(stateDir, 'output')}\n` +
        `status:  dbwave status ${options.plan} --wave ${wave.index}\n`,
    );
    return result.ok ? ExitStatus.Ok : ExitStatus.Unhealthy;
  } finally {
    await observers?.close();
    await adapters?.close().catch(() => undefined);
    await journal.close().catch(() => undefined);
    await held.release();
    await state.close();
  }
}

/** The journal's place as the operator reads it: a path relative to where they are, or the store. */
function journalShown(cwd: string, where: string): string {
  return where.startsWith('/') ? relative(cwd, where) || where : where;
}

/** The terminal question, asked with the live view held so that a redraw cannot erase it. */
function askWithViewHeld(
  ask: StatsAndGatesPorts['ask'],
  observers: RunObservers<HeldCampaign['journal']>,
): StatsAndGatesPorts['ask'] {
  if (ask === undefined) return undefined;
  return (server, phase, verdicts, terms) => observers.holdView(() => ask(server, phase, verdicts, terms));
}

/** The campaign's canary stage for this wave, when it is the first wave and the campaign has one. */
function canaryStage(
  runnable: RunnableWave,
  ports: {
    readonly store: JournalStore;
    readonly resolver: ServerResolver;
    readonly clock: Clock;
    readonly sql: (server: ResolvedServer) => ReturnType<ServerConnectors['sql']>;
    readonly metricHistory: MetricHistory | undefined;
  },
): CanaryStageOptions | undefined {
  const { campaign } = runnable.loaded.inventory;
  const servers = waveCanaries(runnable);
  if (campaign.canary === undefined || servers === undefined) return undefined;
  return {
    servers,
    bakeMs: campaign.canary.bake,
    everyMs: campaign.canary.every,
    journal: ports.store,
    compare: canaryBakeComparison({
      campaign,
      wave: runnable.wave.index,
      fleet: ports.resolver.all(),
      journal: ports.store,
      sql: ports.sql,
      metricHistory: ports.metricHistory,
      clock: ports.clock,
    }),
  };
}

/**
 * A wave shared by runners (the store gives claims) skips no canary stage silently: while the
 * stage has not decided, the run is refused before anything is journaled or claimed.
 */
function refuseSharedCanaryStage(
  runnable: RunnableWave,
  plan: string,
  records: readonly JournalRecord[],
): void {
  const { canary } = runnable.loaded.inventory.campaign;
  const canaries = waveCanaries(runnable);
  if (canary === undefined || canaries === undefined) return;
  if (replayJournal(records).waves.get(runnable.wave.index)?.canary?.decision !== undefined) return;
  throw new SharedCanaryStageError(plan, runnable.wave.index, canaries, formatDuration(canary.bake));
}
