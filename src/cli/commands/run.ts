import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DateTime } from 'luxon';
import type { Argv, CommandModule } from 'yargs';
import { CommandOutputStore } from '../../adapters/output/command-output-store.js';
import { controlCandidates } from '../../analysis/control-servers.js';
import { type CampaignAdapters, campaignAdapters } from '../../app/campaign-adapters.js';
import { attachRunObservers, type RunObservers } from '../../app/run-observers.js';
import { DbwaveError, ErrorCode, ExitStatus, InputError, UsageError } from '../../core/errors.js';
import { EngineEvents } from '../../engine/events/engine-events.js';
import { dryRunLines } from '../../engine/host-commands/dry-run.js';
import { FileJournalStore } from '../../engine/journal/file-journal-store.js';
import type { JournalRecord, StatsRecord } from '../../engine/journal/journal-record.js';
import { replayJournal } from '../../engine/journal/journal-replay.js';
import { CampaignLock, isProcessAlive } from '../../engine/lock/campaign-lock.js';
import type { LockIdentity } from '../../engine/lock/lock-owner.js';
import { resolveStateDir } from '../../engine/lock/state-dir.js';
import type { Clock } from '../../engine/ports/clock.js';
import type { EngineHooks } from '../../engine/ports/engine-hooks.js';
import type { JournalStore } from '../../engine/ports/journal-store.js';
import { runWave, type WaveRunResult } from '../../engine/wave/wave-runner.js';
import { serversDue, waveTiming } from '../../engine/wave/wave-timing.js';
import {
  createStatsAndGatesHooks,
  type StatsAndGatesPorts,
} from '../../gates/probes/stats-and-gates-hooks.js';
import { type LoadedPlan, loadPlan } from '../../inventory/load-plan.js';
import type { Campaign } from '../../model/campaign-schema.js';
import type { PlannedDay, PlannedWave } from '../../model/plan.js';
import { type ServerResolver, serverResolver } from '../../model/resolve-server.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { checkPlan } from '../../planner/check-plan.js';
import { planPositional, stateDirOption, waveOption } from '../shared-options.js';
import { waveCommandHandler } from '../wave-command-handler.js';
import type { CommandStreams } from './plan.js';

export interface RunArguments {
  readonly plan: string;
  readonly wave: number;
  readonly yes?: boolean | undefined;
  readonly ignoreDate?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  readonly stateDir?: string | undefined;
  readonly metricsPort?: number | undefined;
  readonly metricsTextfile?: string | undefined;
}

export interface RunServices {
  readonly streams: CommandStreams;
  readonly clock: Clock;
  readonly cwd: string;
  /** stdin and stdout are a terminal: a person can confirm. */
  readonly interactive: boolean;
  /** Asks a yes/no question on the terminal. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly identity: LockIdentity;
  /** The real adapters unless replaced (tests). */
  readonly adapters?: (campaign: Campaign, campaignFile: string) => Promise<CampaignAdapters>;
  /** Replaces the stats and gates hooks (tests); by default the campaign's stats and gates run. */
  readonly hooks?: EngineHooks;
  /**
   * At a terminal: asks the DBA what an inconclusive gate means (continue, roll back, pause).
   * Absent, or resolving undefined, leaves it to the campaign's gates.inconclusive.
   */
  readonly askInconclusive?: StatsAndGatesPorts['ask'];
  /** First Ctrl-C: start no new server. */
  readonly halt?: AbortSignal;
  /** Second Ctrl-C: interrupt servers in flight (their windows are closed; a rerun resumes them). */
  readonly abort?: AbortSignal;
}

export function describeDay(day: PlannedDay, timezone: string): string {
  const start = DateTime.fromISO(day.windowStart, { zone: timezone });
  const end = DateTime.fromISO(day.windowEnd, { zone: timezone });
  return `${day.date} ${start.toFormat('HH:mm')}-${end.toFormat('HH:mm')} ${timezone}`;
}

/** Refuses a wave outside its days' windows, unless --ignore-date; returns the day it runs on. */
export function dayToRun(
  wave: PlannedWave,
  args: Pick<RunArguments, 'ignoreDate' | 'dryRun'>,
  loaded: LoadedPlan,
  now: number,
): PlannedDay | undefined {
  // A dry run is how a DBA reviews a wave ahead of its day: every server, whatever the date.
  if (args.ignoreDate === true || args.dryRun === true) return undefined;
  const timing = waveTiming(wave, now);
  if (timing.state === 'inside') return timing.day;
  const timezone = loaded.plan.timezone;
  const nowText = DateTime.fromMillis(now, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm');
  const why =
    timing.state === 'after'
      ? `its last day was ${describeDay(timing.last, timezone)}`
      : `its next window is ${describeDay(timing.next, timezone)}`;
  throw new UsageError(
    `wave ${wave.index} does not run now (${nowText} ${timezone}): ${why}. Use --ignore-date to run it anyway`,
  );
}

export function resolveServers(loaded: LoadedPlan, names: readonly string[]): ResolvedServer[] {
  const { campaign, classes, campaignFile } = loaded.inventory;
  const resolver = serverResolver(classes, campaign);
  return names.map((name) => {
    const server = resolver.resolve(name);
    if (!server)
      throw InputError.of(
        loaded.planFile,
        'waves',
        `server ${name} is in no hardware class of ${campaignFile}`,
      );
    return server;
  });
}

/**
 * The stats and gates hooks' ports over the run's own journal: `store` must be the very store
 * the engine's journal subscriber appends to, so that stats and gate records take their `seq`
 * from the same counter as the step records. Controls are same-class servers still on the old
 * version and not in flight, as the journal says now.
 */
export function statsAndGatesPorts(options: {
  readonly store: JournalStore;
  readonly resolver: ServerResolver;
  readonly sql: StatsAndGatesPorts['sql'];
  readonly ask?: StatsAndGatesPorts['ask'] | undefined;
}): StatsAndGatesPorts {
  const { store, resolver } = options;
  return {
    record: (entry) => store.append(entry),
    sql: options.sql,
    statsFor: async (name) =>
      (await store.read()).records.filter(
        (record: JournalRecord): record is StatsRecord =>
          record.kind === 'stats' && (record.server === name || record.controlFor === name),
      ),
    controlsFor: async (server) =>
      controlCandidates(server, resolver.all(), replayJournal((await store.read()).records)),
    ...(options.ask === undefined ? {} : { ask: options.ask }),
  };
}

function summary(result: WaveRunResult, action: 'run' | 'rollback'): string {
  const width = Math.max(6, ...result.results.map((entry) => entry.server.length));
  const lines = result.results.map(
    (entry) =>
      `  ${entry.server.padEnd(width)}  ${entry.outcome.padEnd(18)}${entry.fromEarlierRun ? ' (earlier run)' : ''}${entry.reason ? `  ${entry.reason}` : ''}`,
  );
  const done = action === 'run' ? 'upgraded' : 'rolled back';
  const head = result.ok
    ? `wave ${result.wave}: every server ${done}`
    : `wave ${result.wave}: NOT every server ${done}${result.haltedBecause ? ` (${result.haltedBecause})` : ''}`;
  const paused = result.paused > 0 ? [`  ${result.paused} paused for a person (see their reasons)`] : [];
  return [head, ...lines, ...paused].join('\n');
}

/**
 * The plan, checked against its planning rules, and the wave `--wave` names, from a campaign
 * that has its commands: what `run` and `rollback` both need before anything else.
 */
export async function loadRunnableWave(
  plan: string,
  waveIndex: number,
  cwd: string,
): Promise<{ loaded: LoadedPlan; wave: PlannedWave; shownCampaign: string }> {
  const loaded = await loadPlan(plan, { cwd });
  const { campaign, classes, campaignFile } = loaded.inventory;
  const shownCampaign = relative(cwd, campaignFile) || campaignFile;
  const check = checkPlan(loaded.plan, classes, campaign);
  if (check.violations.length > 0) {
    throw new DbwaveError(
      ErrorCode.PlanViolation,
      `${plan} breaks ${check.violations.length} planning rule(s); run dbwave check ${plan} to see them`,
    );
  }
  const wave = loaded.plan.waves.find((candidate) => candidate.index === waveIndex);
  if (!wave) {
    throw new UsageError(`--wave ${waveIndex}: ${plan} has waves 1 to ${loaded.plan.waves.length}`);
  }
  if (!campaign.commands) {
    throw InputError.of(
      shownCampaign,
      'commands',
      'a campaign needs its commands (stop, start, running, ...) to run',
    );
  }
  return { loaded, wave, shownCampaign };
}

/**
 * `dbwave run PLAN --wave N`: runs (or resumes) one wave of a plan. Checks the plan, the date and
 * the operator's confirmation, takes the campaign's lock, then hands the wave to the engine with
 * the real adapters and prints plain progress lines. Exit 0 only when every server of the wave
 * is Upgraded or AlreadyUpgraded.
 */
export async function runWaveCommand(args: RunArguments, services: RunServices): Promise<ExitStatus> {
  const { streams, clock } = services;
  const { loaded, wave, shownCampaign } = await loadRunnableWave(args.plan, args.wave, services.cwd);
  const { campaign } = loaded.inventory;
  const day = dayToRun(wave, args, loaded, clock.now());
  const servers = resolveServers(
    loaded,
    serversDue(wave, day).map((server) => server.name),
  );

  if (args.dryRun === true) {
    streams.stdout.write(`# dry run of wave ${wave.index}: nothing is connected to, nothing is written\n`);
    for (const server of servers) {
      streams.stdout.write(`${dryRunLines(server, campaign, shownCampaign).join('\n')}\n\n`);
    }
    return ExitStatus.Ok;
  }

  if (args.yes !== true) {
    if (!services.interactive) {
      throw new UsageError('dbwave run needs --yes when it is not run from a terminal (nobody can confirm)');
    }
    const when = day ? describeDay(day, loaded.plan.timezone) : 'now (--ignore-date)';
    streams.stdout.write(
      [
        `Wave ${wave.index} of ${campaign.campaign}: ${campaign.from.version} -> ${campaign.to.version}, ${when}`,
        `Each server gets a 503 window (target ${Math.round(campaign.target503 / 60_000)}m) via ${campaign.maintenance.adapter}.`,
        ...servers.map(
          (server) =>
            `  ${server.name}  ${server.class}${server.cluster ? `  ${server.cluster}/${server.role ?? ''}` : ''}  ${server.host}`,
        ),
        '',
      ].join('\n'),
    );
    if (!(await services.confirm(`Run wave ${wave.index} on these ${servers.length} servers?`))) {
      streams.stdout.write('Not confirmed; nothing was done.\n');
      return ExitStatus.Unhealthy;
    }
  }

  return driveWave({
    loaded,
    wave,
    stateDir: args.stateDir,
    metricsPort: args.metricsPort,
    metricsTextfile: args.metricsTextfile,
    services,
    action: 'run',
    plan: args.plan,
    servers: () => servers,
  });
}

/** What `dbwave run` and `dbwave rollback` hand to the engine once the command is checked. */
export interface DriveWaveOptions {
  readonly loaded: LoadedPlan;
  readonly wave: PlannedWave;
  readonly plan: string;
  readonly stateDir?: string | undefined;
  readonly metricsPort?: number | undefined;
  readonly metricsTextfile?: string | undefined;
  readonly services: RunServices;
  readonly action: 'run' | 'rollback';
  readonly rollbackReason?: string;
  /** The servers to run, from the journal as it is once the lock is held. */
  readonly servers: (history: readonly JournalRecord[]) => readonly ResolvedServer[];
}

/**
 * Takes the campaign's lock, attaches the journal (one store: the engine's records and the
 * hooks' share its seq), the metrics and the progress view, builds the adapters and the stats
 * and gates hooks, and runs the wave (or rolls it back). Exit 0 only when every server ended as
 * asked: Upgraded or AlreadyUpgraded for a run, RolledBack for a rollback.
 */
export async function driveWave(options: DriveWaveOptions): Promise<ExitStatus> {
  const { loaded, wave, services } = options;
  const { streams, clock } = services;
  const { campaign, classes, campaignFile } = loaded.inventory;
  const shownCampaign = relative(services.cwd, campaignFile) || campaignFile;
  const stateDir = resolveStateDir(campaignFile, campaign, options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const { lock, tookOverFrom } = await CampaignLock.acquire({
    stateDir,
    clock,
    identity: services.identity,
    isProcessAlive,
    purpose: `${options.action} --wave ${wave.index}`,
  });
  const journal = new FileJournalStore({ stateDir, campaign: campaign.campaign, clock });
  let adapters: CampaignAdapters | undefined;
  let observers: RunObservers<FileJournalStore> | undefined;
  try {
    const history = await journal.read();
    const servers = options.servers(history.records);
    const events = new EngineEvents();
    observers = await attachRunObservers({
      events,
      journal,
      campaign,
      wave,
      stateDir,
      clock,
      stream: streams.stdout,
      journalSoFar: history.records,
      ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
      ...(options.metricsTextfile === undefined
        ? {}
        : { metricsTextfile: resolve(services.cwd, options.metricsTextfile) }),
      warn: (message) => streams.stderr.write(`dbwave: ${message}\n`),
    });
    if (observers.metricsUrl !== undefined) streams.stdout.write(`metrics: ${observers.metricsUrl}\n`);
    // One store for the engine's records and the hooks' stats and gate records: one seq counter.
    const store = observers.journal;
    const at = (): string => new Date(clock.now()).toISOString();
    if (tookOverFrom) {
      await events.emit('alert', {
        at: at(),
        wave: wave.index,
        alert: 'stale-lock',
        message: `took over the lock of ${tookOverFrom.user}@${tookOverFrom.host} pid ${tookOverFrom.pid} (since ${tookOverFrom.started}): that process is gone`,
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
    const hooks =
      services.hooks ??
      createStatsAndGatesHooks(
        statsAndGatesPorts({
          store,
          resolver: serverResolver(classes, campaign),
          sql: (server) => connectors.sql(server),
          ask: askWithViewHeld(services.interactive ? services.askInconclusive : undefined, observers),
        }),
      );
    const classConcurrency = new Map(
      classes.map((hardwareClass) => [hardwareClass.id, hardwareClass.concurrency]),
    );
    const result = await runWave({
      campaign,
      campaignFile: shownCampaign,
      wave: wave.index,
      servers,
      waveSize: wave.servers.length,
      classConcurrency: (className) => classConcurrency.get(className),
      connectors: adapters.connectors,
      window: adapters.maintenance,
      hooks,
      events,
      clock,
      output: new CommandOutputStore(stateDir),
      history: history.records,
      action: options.action,
      ...(options.rollbackReason === undefined ? {} : { rollbackReason: options.rollbackReason }),
      ...(services.abort ? { signal: services.abort } : {}),
      ...(services.halt ? { halt: services.halt } : {}),
      operator: services.identity,
    });
    streams.stdout.write(`\n${summary(result, options.action)}\n`);
    streams.stdout.write(
      `journal: ${relative(services.cwd, journal.file) || journal.file}; command output: ${relative(services.cwd, join(stateDir, 'output')) || join(stateDir, 'output')}\n` +
        `status:  dbwave status ${options.plan} --wave ${wave.index}\n`,
    );
    return result.ok ? ExitStatus.Ok : ExitStatus.Unhealthy;
  } finally {
    await observers?.close();
    await adapters?.close().catch(() => undefined);
    await journal.close().catch(() => undefined);
    await lock.release();
  }
}

export const runCommand: CommandModule<object, RunArguments> = {
  command: 'run <plan>',
  describe:
    'Run (or resume) one wave of a plan: 503 window, clean shutdown, upgrade, start, verify, per server',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', waveOption)
      .option('yes', { type: 'boolean', describe: 'Do not ask for confirmation (needed without a terminal)' })
      .option('ignore-date', { type: 'boolean', describe: "Run outside the wave's days and daily window" })
      .option('dry-run', {
        type: 'boolean',
        describe: 'Print every command it would run per server; connect to nothing',
      })
      .option('state-dir', stateDirOption)
      .option('metrics-port', {
        type: 'number',
        describe: 'Serve Prometheus /metrics on 127.0.0.1:PORT while the wave runs (0: any free port)',
      })
      .option('metrics-textfile', {
        type: 'string',
        describe: "Keep a node_exporter textfile (*.prom) of the wave's metrics, rewritten atomically",
      })
      .example('$0 run waves/mysql-5.1.58.plan.yaml --wave 1', 'asks, then runs wave 1 (or resumes it)')
      .example('$0 run waves/mysql-5.1.58.plan.yaml --wave 2 --dry-run', 'what wave 2 would run'),
  handler: waveCommandHandler(runWaveCommand),
};

/** The terminal question, asked with the live view held so that a redraw cannot erase it. */
function askWithViewHeld(
  ask: StatsAndGatesPorts['ask'],
  observers: RunObservers<FileJournalStore>,
): StatsAndGatesPorts['ask'] {
  if (ask === undefined) return undefined;
  return (server, phase, verdicts) => observers.holdView(() => ask(server, phase, verdicts));
}
