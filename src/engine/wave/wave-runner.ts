import { errorMessage } from '../../core/errors.js';
import type { Campaign } from '../../model/campaign-schema.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { EngineEvents, OrderOverride } from '../events/engine-events.js';
import type { JournalRecord, ServerOutcome } from '../journal/journal-record.js';
import { replayJournal } from '../journal/journal-replay.js';
import { JournalUnwritableError } from '../journal/journal-unwritable-error.js';
import { isFinalOutcome } from '../journal/server-outcome.js';
import type { Clock } from '../ports/clock.js';
import type { EngineHooks } from '../ports/engine-hooks.js';
import type { MaintenanceWindow } from '../ports/maintenance-window.js';
import type { CommandOutputSink, ServerConnectors } from '../ports/server-connectors.js';
import type { WaveClaims } from '../ports/wave-claims.js';
import { upgradeServer } from '../steps/server-upgrade.js';
import { canaryUpgradeFailure } from './canary-bake.js';
import { bakeCanaries, type CanaryStageOptions, journalDecision } from './canary-stage.js';
import { allowedFailures, failureBudgetExceeded, isFailureOutcome } from './failure-budget.js';
import { blockedForever, nextServer, type WaveDirection } from './wave-scheduler.js';

export interface WaveRunOptions {
  readonly campaign: Campaign;
  readonly campaignFile: string;
  readonly wave: number;
  /** The wave's servers to run now, in plan order (replicas before their primary). */
  readonly servers: readonly ResolvedServer[];
  /** Servers in the whole wave, for a percentage failure budget (default: `servers.length`). */
  readonly waveSize?: number;
  /** A class's own concurrency, if its file sets one (it overrides the campaign's perClass). */
  readonly classConcurrency?: (className: string) => number | undefined;
  /** A class's expected time for one server, ms: the longest-expected startable server goes first. */
  readonly classExpectedMs?: (className: string) => number | undefined;
  readonly connectors: ServerConnectors;
  readonly window: MaintenanceWindow;
  readonly hooks?: EngineHooks;
  readonly events: EngineEvents;
  readonly clock: Clock;
  readonly output: CommandOutputSink;
  /** Everything the journal holds so far (every wave): the run resumes from it. */
  readonly history: readonly JournalRecord[];
  /** Aborts in-flight servers: their windows are closed and they are left for a resume. */
  readonly signal?: AbortSignal;
  /** Stops new servers from starting; in-flight ones finish or roll back. */
  readonly halt?: AbortSignal;
  readonly operator?: { readonly user: string; readonly host: string; readonly pid: number };
  /**
   * `rollback` (`dbwave rollback`): every server given goes back to the old version through the
   * engine's rollback path (or resumes a rollback dbwave died in). No failure budget halts it:
   * going back is the safe direction. `run` by default.
   */
  readonly action?: 'run' | 'rollback';
  /** Why the operator rolls back: each server's reason once RolledBack. */
  readonly rollbackReason?: string;
  /** The wave begins out of order (`run --override-order`): journaled with its first record. */
  readonly orderOverride?: OrderOverride;
  /**
   * The first wave's canary stage (campaign `canary`): the canaries run first, then the bake; the
   * rest of the wave starts only if it goes on. Ignored by a rollback.
   */
  readonly canary?: CanaryStageOptions;
  /**
   * A wave shared with other runners (the MySQL store): `servers` is this runner's share, each
   * claimed through the store, which decides the wave's limits from every runner's claims.
   * `run` only; a rollback is one runner's.
   */
  readonly shared?: { readonly claims: WaveClaims; readonly wave: readonly ResolvedServer[] };
  /**
   * `run --only` with the file store (one runner, no claims): the wave's servers outside this
   * run's share. The wave is journaled finished only once they too have ended (by an earlier
   * run's share); until then it stays running, for the run that takes the rest.
   */
  readonly outsideShare?: readonly string[];
}

export interface ServerResult {
  readonly server: string;
  readonly outcome: ServerOutcome;
  readonly reason?: string;
  /** Final before this run began: not touched again. */
  readonly fromEarlierRun?: boolean;
  /** A gate paused it for a person (it also counts against the failure budget as its outcome does). */
  readonly paused?: boolean;
  /** In a shared wave, another runner ran it (or runs it): `dbwave status` shows how it ended. */
  readonly otherRunner?: boolean;
}

export interface WaveRunResult {
  readonly wave: number;
  /** One per server of the wave, in plan order. */
  readonly results: readonly ServerResult[];
  /** Why no more servers were started, when the wave did not get through. */
  readonly haltedBecause?: string;
  /** Every server Upgraded or AlreadyUpgraded (RolledBack for a rollback): the only exit 0. */
  readonly ok: boolean;
  /** Servers of this run that a gate paused for a person. */
  readonly paused: number;
  /** The journal could not be written: the wave halted there (the caller says so on stderr). */
  readonly journalUnwritable?: JournalUnwritableError;
}

const SUCCESSES: readonly ServerOutcome[] = ['Upgraded', 'AlreadyUpgraded'];
const ROLLBACK_SUCCESSES: readonly ServerOutcome[] = ['RolledBack'];

/**
 * Runs one wave: as many servers at once as the campaign allows (per wave, per class, one per
 * cluster, replicas before their primary; a rollback the primary first), resuming servers an earlier run left in flight
 * first. Past the failure budget (exceeded, not reached) no new server starts; those in
 * flight finish or roll back. A journal that cannot be written halts the wave too, and then not
 * even an interrupted server starts: without a journal no step may begin. Returns an outcome for
 * every server of the wave; only a journal that fails on the wave's first record throws.
 */
export async function runWave(options: WaveRunOptions): Promise<WaveRunResult> {
  const { campaign, events, clock, wave } = options;
  // A rollback takes a cluster's primary back first: replication never flows from new to old.
  const direction: WaveDirection = options.action === 'rollback' ? 'downgrade' : 'upgrade';
  const signal = options.signal ?? new AbortController().signal;
  const now = (): string => new Date(clock.now()).toISOString();
  const replay = replayJournal(options.history);
  const waveSize = options.waveSize ?? options.servers.length;
  const action = options.action ?? 'run';
  const rollingBack = action === 'rollback';
  // A rollback resumes when the wave's last rollback record is not its end.
  const lastRollback = options.history
    .filter((record) => record.kind === 'wave' && record.wave === wave && record.action === 'rollback')
    .at(-1);
  const resumed = rollingBack
    ? lastRollback !== undefined && lastRollback.kind === 'wave' && lastRollback.event !== 'finished'
    : replay.waves.has(wave);
  await events.emit('wave', {
    at: now(),
    wave,
    event: resumed ? 'resumed' : 'started',
    servers: options.servers.map((server) => server.name),
    ...(options.operator ? { operator: options.operator } : {}),
    ...(rollingBack ? { action } : {}),
    ...(options.orderOverride === undefined ? {} : { orderOverride: options.orderOverride }),
  });

  const results = new Map<string, ServerResult>();
  const finished = new Map<string, 'succeeded' | 'failed'>();
  let failures = 0;
  const interrupted: ResolvedServer[] = [];
  const fresh: ResolvedServer[] = [];
  for (const server of options.servers) {
    const state = replay.servers.get(server.name);
    if (rollingBack) {
      fresh.push(server);
    } else if (state && isFinalOutcome(state.outcome)) {
      results.set(server.name, {
        server: server.name,
        outcome: state.outcome,
        ...(state.reason === undefined ? {} : { reason: state.reason }),
        fromEarlierRun: true,
      });
      const failed = isFailureOutcome(state.outcome);
      finished.set(server.name, failed ? 'failed' : 'succeeded');
      if (failed) failures += 1;
    } else if (state?.outcome === 'InProgress') {
      interrupted.push(server);
    } else {
      fresh.push(server);
    }
  }

  let haltedBecause: string | undefined;
  let journalUnwritable: JournalUnwritableError | undefined;
  const journalFailed = (error: JournalUnwritableError): void => {
    journalUnwritable ??= error;
    haltedBecause ??= `the journal cannot be written (${errorMessage(error.cause)}); no new server starts`;
  };
  /** A wave-level record the journal cannot take halts the wave; it never abandons servers in flight. */
  const emitForWave = async (emit: () => Promise<void>): Promise<void> => {
    try {
      await emit();
    } catch (error) {
      if (!(error instanceof JournalUnwritableError)) throw error;
      journalFailed(error);
    }
  };
  const halt = async (reason: string, alert: boolean): Promise<void> => {
    if (haltedBecause !== undefined) return;
    haltedBecause = reason;
    if (alert)
      await emitForWave(() =>
        events.emit('alert', { at: now(), wave, alert: 'failure-budget-exceeded', message: reason }),
      );
  };
  const budgetReason = (): string =>
    `failure budget exceeded: ${failures} failed, the campaign allows ${allowedFailures(campaign.failureBudget, waveSize)} (failureBudget ${campaign.failureBudget}); no new server starts`;
  if (!rollingBack && failureBudgetExceeded(failures, campaign.failureBudget, waveSize))
    await halt(budgetReason(), true);

  // Interrupted servers go first, and even in a halted wave: a server left mid-upgrade is finished.
  let pending = [...interrupted, ...fresh];
  const inFlight = new Map<string, { server: ResolvedServer; done: Promise<void> }>();
  const limits = {
    wave: Math.max(1, campaign.concurrency.wave),
    perClass: (className: string) => options.classConcurrency?.(className) ?? campaign.concurrency.perClass,
    ...(options.classExpectedMs === undefined ? {} : { expectedMs: options.classExpectedMs }),
  };

  const claims = options.shared?.claims;
  // Asked until the store says this runner's share is done (or the wave halts).
  let claiming = claims !== undefined && !rollingBack;
  const settle = async (server: string, state: 'succeeded' | 'failed' | 'released'): Promise<void> => {
    try {
      await claims?.settle(server, state);
    } catch (error) {
      await halt(
        `the state store could not record ${server}'s end (${errorMessage(error)}); no new server starts`,
        false,
      );
    }
  };

  const launch = (
    server: ResolvedServer,
    from: { readonly history?: readonly JournalRecord[]; readonly rollbackReason?: string } = {},
  ): void => {
    pending = pending.filter((candidate) => candidate !== server);
    const rollbackReason = from.rollbackReason;
    const history = (from.history ?? options.history).filter(
      (record) => 'server' in record && record.server === server.name && record.kind === 'step',
    );
    const done = upgradeServer({
      server,
      campaign,
      campaignFile: options.campaignFile,
      wave,
      connectors: options.connectors,
      window: options.window,
      hooks: options.hooks ?? {},
      events,
      clock,
      signal,
      output: options.output,
      history,
      ...(rollingBack || rollbackReason !== undefined
        ? { rollback: { reason: rollbackReason ?? options.rollbackReason ?? 'rolled back by the operator' } }
        : {}),
    }).then(async (result) => {
      inFlight.delete(server.name);
      results.set(server.name, result);
      if (result.journalUnwritable) journalFailed(result.journalUnwritable);
      if (result.outcome === 'InProgress') {
        // Interrupted with its window closed: given back, so that any runner resumes it.
        await settle(server.name, 'released');
        return;
      }
      // In a rollback a server that is back on the old version is the success its primary waits for.
      const failed = rollingBack ? result.outcome !== 'RolledBack' : isFailureOutcome(result.outcome);
      finished.set(server.name, failed ? 'failed' : 'succeeded');
      await settle(server.name, failed ? 'failed' : 'succeeded');
      if (failed) {
        failures += 1;
        if (!rollingBack && failureBudgetExceeded(failures, campaign.failureBudget, waveSize))
          await halt(budgetReason(), true);
      }
    });
    inFlight.set(server.name, { server, done });
  };

  // The canary stage: until it decides to go on, only the canaries (and servers left in flight) start.
  const canary = rollingBack ? undefined : options.canary;
  const canaryNames = new Set(canary?.servers ?? []);
  const journaledStage = replay.waves.get(wave)?.canary;
  let canaryStageOpen = canary !== undefined && canaryNames.size > 0 && journaledStage?.decision !== 'go-on';
  const stop = AbortSignal.any([signal, ...(options.halt ? [options.halt] : [])]);
  /** Runs the canaries' rollback one at a time, through the engine's rollback path. */
  const rollBackCanaries = async (
    stage: CanaryStageOptions,
    names: readonly string[],
    reason: string,
  ): Promise<void> => {
    for (const server of options.servers) {
      if (!names.includes(server.name) || results.get(server.name)?.outcome !== 'Upgraded') continue;
      if (signal.aborted || journalUnwritable !== undefined) return;
      launch(server, { rollbackReason: reason, history: (await stage.journal.read()).records });
      await inFlight.get(server.name)?.done;
    }
  };
  /** Judges the stage once every canary ended: before the bake, or by it. Undefined when stopped. */
  const canaryStage = async (stage: CanaryStageOptions): Promise<'go-on' | 'stop' | undefined> => {
    const canaries = options.servers.filter((server) => canaryNames.has(server.name));
    const missing = [...canaryNames].filter((name) => !canaries.some((server) => server.name === name));
    if (missing.length > 0) {
      await halt(`the canary stage waits for canaries not due in this run: ${missing.join(', ')}`, false);
      return 'stop';
    }
    const run = { wave, canaries, events, clock };
    const outcomes = new Map(
      canaries.map((server) => [server.name, results.get(server.name)?.outcome ?? 'NotExecuted'] as const),
    );
    const fresh = journaledStage?.decision === undefined;
    const failedFirst = fresh ? canaryUpgradeFailure(outcomes) : undefined;
    // A wave halted for another reason (its failure budget) bakes nothing; a failed canary is still said.
    if (haltedBecause !== undefined && failedFirst === undefined && fresh) return 'stop';
    const decided =
      failedFirst === undefined
        ? await bakeCanaries({
            ...run,
            options: stage,
            journaled: journaledStage,
            inconclusive: campaign.gates.inconclusive,
            stop,
          })
        : await journalDecision(run, failedFirst, 'fail');
    if (decided === undefined) return undefined;
    if (decided.decision === 'go-on') return 'go-on';
    haltedBecause ??= decided.reason;
    if (fresh)
      await emitForWave(() =>
        events.emit('alert', { at: now(), wave, alert: 'canary-failed', message: decided.reason }),
      );
    await rollBackCanaries(stage, decided.rollBack, decided.reason);
    return 'stop';
  };

  const earlierFinished = new Map(finished);
  /**
   * One claim through the store: launches what it grants, raising an alert that names the runner
   * a server was taken over from; halts on the budget; waits (for a server of its own or a
   * while) when told to. Returns 'asked-again' when the loop should ask again at once.
   */
  const claimNext = async (
    store: WaveClaims,
    wholeWave: readonly ResolvedServer[],
  ): Promise<'asked-again' | 'stopped'> => {
    let decision: Awaited<ReturnType<WaveClaims['claim']>>;
    try {
      decision = await store.claim({
        candidates: pending,
        wave: wholeWave,
        earlierFinished,
        limits,
        failureBudget: campaign.failureBudget,
        waveSize,
      });
    } catch (error) {
      claiming = false;
      await halt(
        `the state store could not be asked for a server (${errorMessage(error)}); no new server starts`,
        false,
      );
      return 'stopped';
    }
    switch (decision.kind) {
      case 'claimed': {
        const { server, journal, tookOverFrom } = decision;
        if (tookOverFrom !== undefined)
          await emitForWave(() =>
            events.emit('alert', {
              at: now(),
              wave,
              server: server.name,
              alert: 'stale-lock',
              message: `took over ${server.name} from ${tookOverFrom}: its lease expired; resumed from the journal through the probes`,
            }),
          );
        launch(server as ResolvedServer, { history: journal });
        return 'asked-again';
      }
      case 'halt':
        claiming = false;
        await halt(decision.reason, true);
        return 'stopped';
      case 'done':
        claiming = false;
        return 'stopped';
      case 'wait': {
        const pause = clock.sleep(store.retryMs, signal).catch(() => undefined);
        await Promise.race([pause, ...[...inFlight.values()].map((entry) => entry.done)]);
        return 'asked-again';
      }
      default:
        return decision satisfies never;
    }
  };

  for (;;) {
    if (options.halt?.aborted || signal.aborted) {
      // The reason says who stopped the wave (Ctrl-C, SIGTERM, SIGHUP): the journal keeps it.
      const reason = options.halt?.aborted ? options.halt.reason : signal.reason;
      const said = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : undefined;
      await halt(said ?? 'interrupted by the operator', false);
    }
    if (claims !== undefined && options.shared !== undefined) {
      const mayClaim =
        claiming && haltedBecause === undefined && !signal.aborted && journalUnwritable === undefined;
      if (mayClaim) {
        const claimed = await claimNext(claims, options.shared.wave);
        if (claimed === 'asked-again') continue;
      }
      if (!mayClaim || !claiming) {
        if (inFlight.size === 0) break;
        await Promise.race([...inFlight.values()].map((entry) => entry.done));
      }
      continue;
    }
    const startable =
      signal.aborted || journalUnwritable !== undefined
        ? []
        : haltedBecause === undefined
          ? pending.filter(
              (server) => !canaryStageOpen || canaryNames.has(server.name) || interrupted.includes(server),
            )
          : pending.filter((server) => interrupted.includes(server));
    const scheduled = (candidates: readonly ResolvedServer[]): ResolvedServer | undefined =>
      nextServer(
        {
          pending: candidates,
          inFlight: [...inFlight.values()].map((entry) => entry.server),
          finished,
          wave: options.servers,
          direction,
        },
        limits,
      );
    // An interrupted server goes before any fresh one, however long the fresh one is expected to take.
    const next =
      scheduled(startable.filter((server) => interrupted.includes(server))) ?? scheduled(startable);
    if (next) {
      launch(next);
      continue;
    }
    if (inFlight.size === 0) {
      if (!canaryStageOpen || canary === undefined || stop.aborted || journalUnwritable !== undefined) break;
      // Every canary has ended (nothing else may start before the stage decides): judge them.
      const decision = await canaryStage(canary);
      canaryStageOpen = decision === undefined;
      continue;
    }
    await Promise.race([...inFlight.values()].map((entry) => entry.done));
  }

  const blocked = new Map(
    blockedForever({ pending, inFlight: [], finished, wave: options.servers, direction }).map((entry) => [
      entry.server,
      entry.reason,
    ]),
  );
  // In a shared wave, what this runner neither ran nor found blocked was another runner's.
  const sharedOut = (name: string): boolean =>
    claims !== undefined && haltedBecause === undefined && !blocked.has(name);
  const ordered = options.servers.map(
    (server): ServerResult =>
      results.get(server.name) ??
      (sharedOut(server.name)
        ? { server: server.name, outcome: 'NotExecuted', reason: 'run by another runner', otherRunner: true }
        : {
            server: server.name,
            outcome: 'NotExecuted',
            reason: blocked.get(server.name) ?? haltedBecause ?? 'not started',
          }),
  );
  const ok = ordered.every(
    (result) =>
      result.otherRunner === true || (rollingBack ? ROLLBACK_SUCCESSES : SUCCESSES).includes(result.outcome),
  );
  if (
    !ok &&
    haltedBecause === undefined &&
    ordered.some((result) => result.outcome === 'NotExecuted' && result.otherRunner !== true)
  ) {
    haltedBecause = 'some servers could not start (see their reasons)';
  }
  // A shared wave is finished once, by the runner that sees every server of it settled, and a
  // file-store run of one share only once the rest ended too; until then it is still running.
  const finalBefore = (name: string): boolean =>
    isFinalOutcome(replay.servers.get(name)?.outcome ?? 'NotExecuted');
  const restPending = (options.outsideShare ?? []).some((name) => !finalBefore(name));
  const waveGoesOn =
    haltedBecause === undefined &&
    (restPending ||
      (options.shared !== undefined &&
        !(await options.shared.claims
          .finishWave(options.shared.wave.map((server) => server.name).filter((name) => !finalBefore(name)))
          .catch(() => false))));
  if (!waveGoesOn)
    await emitForWave(() =>
      events.emit('wave', {
        at: now(),
        wave,
        event: haltedBecause === undefined ? 'finished' : 'halted',
        ...(haltedBecause === undefined ? {} : { reason: haltedBecause }),
        ...(rollingBack ? { action } : {}),
      }),
    );
  const paused = ordered.filter((result) => result.paused === true && result.fromEarlierRun !== true).length;
  return {
    wave,
    results: ordered,
    ...(haltedBecause === undefined ? {} : { haltedBecause }),
    // A wave whose journal could not take its last records is not done, whatever the servers say.
    ok: ok && journalUnwritable === undefined,
    paused,
    ...(journalUnwritable === undefined ? {} : { journalUnwritable }),
  };
}
