import { DbwaveError, ErrorCode, errorMessage } from '../../core/errors.js';
import type { Campaign } from '../../model/campaign-schema.js';
import { templateVariables } from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import {
  closesWindow,
  isRollbackStep,
  opensWindow,
  runsBeforeWindow,
  runsInsideWindow,
} from '../../model/step-facts.js';
import type { AlertKind, EngineEvents } from '../events/engine-events.js';
import { ShellHostCommands } from '../host-commands/shell-host-commands.js';
import {
  type ErrorSummary,
  type JournalRecord,
  type ServerOutcome,
  type StepEvent,
  type StepName,
  type StepRecord,
  stepFields,
} from '../journal/journal-record.js';
import { JournalUnwritableError } from '../journal/journal-unwritable-error.js';
import type { Next, PendingOutcome, StepDetail } from '../journal/step-detail.js';
import type { Clock } from '../ports/clock.js';
import type { EngineHooks, HookContext } from '../ports/engine-hooks.js';
import type { MaintenanceWindow } from '../ports/maintenance-window.js';
import type { CommandOutputSink, ServerConnectors } from '../ports/server-connectors.js';
import type { SqlSession } from '../ports/sql-session.js';
import { preflushOriginals, restorePreflushSetting } from './preflush-step.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { handlerFor } from './step-table.js';

export interface ServerUpgradeOptions {
  readonly server: ResolvedServer;
  readonly campaign: Campaign;
  /** The campaign file, for messages about its templates. */
  readonly campaignFile: string;
  readonly wave: number;
  readonly connectors: ServerConnectors;
  readonly window: MaintenanceWindow;
  readonly hooks: EngineHooks;
  readonly events: EngineEvents;
  readonly clock: Clock;
  /** Aborting it interrupts waits and commands; the window is closed and the server left to a resume. */
  readonly signal: AbortSignal;
  readonly output: CommandOutputSink;
  /** This server's journal records from earlier runs, in order: where a resumed run picks up. */
  readonly history: readonly JournalRecord[];
  /**
   * The operator rolls this (upgraded) server back (`dbwave rollback`): it takes the engine's own
   * rollback path through a second window (rollback-window-open ... rollback-window-close), or,
   * past the point of no return, ends NeedsUserMigration untouched. A rollback dbwave died in
   * resumes from the journal like any run.
   */
  readonly rollback?: { readonly reason: string };
}

export interface ServerUpgradeResult {
  readonly server: string;
  /** `InProgress` only when interrupted: the journal holds where a later run resumes. */
  readonly outcome: ServerOutcome;
  readonly reason?: string;
  /** A gate's `pause` verdict decided where it ended (see HookVerdict). */
  readonly paused?: boolean;
  /** The journal could not be written, so the server stopped at that step: the wave halts. */
  readonly journalUnwritable?: JournalUnwritableError;
}

export function summarizeError(error: unknown): ErrorSummary {
  return {
    code: error instanceof DbwaveError ? error.code : ErrorCode.Internal,
    message: errorMessage(error),
  };
}

/**
 * Runs one server through the step machine, from the start or from where the journal says an
 * earlier run stopped. Every step is journaled `started` before its side effect and with its
 * outcome after (through the engine's events); a step dbwave died in is first probed on the
 * server, so nothing is done twice. Whatever happens, a window this run may have opened is
 * closed before it returns.
 */
export async function upgradeServer(options: ServerUpgradeOptions): Promise<ServerUpgradeResult> {
  return new ServerUpgrade(options).run();
}

class ServerUpgrade {
  private readonly options: ServerUpgradeOptions;
  /** Every step's journaled details so far, this run's and earlier runs', merged. */
  private readonly facts: { [S in StepName]?: StepDetail<S> } = {};
  private pendingOutcome: PendingOutcome | undefined;
  /** A gate's pause verdict decided this run's way (see HookVerdict). */
  private paused = false;
  /** Set by an operator's rollback: journaled with the first step's `started` record. */
  private unjournaledPending: PendingOutcome | undefined;
  private secondWindow = false;
  /** A window-open was started and no window-close succeeded since. */
  private windowMaybeOpen = false;
  private session: SqlSession | undefined;
  /** The step the loop is in, where a run that breaks off will resume. */
  private currentStep: StepName | undefined;
  private readonly context: StepContext;

  constructor(options: ServerUpgradeOptions) {
    this.options = options;
    for (const record of options.history) {
      if (record.kind !== 'step') continue;
      this.remember(record.step, record.event, record.detail ?? {});
    }
    const { server, campaign } = options;
    const templates = requireCommands(campaign, options.campaignFile);
    const commands =
      options.connectors.hostCommands?.(server, templates) ??
      new ShellHostCommands({
        server,
        templates,
        variables: templateVariables(server, campaign),
        campaignFile: options.campaignFile,
        shell: () => options.connectors.shell(server),
        output: options.output,
        clock: options.clock,
        signal: options.signal,
      });
    this.context = {
      server,
      campaign,
      wave: options.wave,
      clock: options.clock,
      signal: options.signal,
      events: options.events,
      commands,
      window: options.window,
      hooks: options.hooks,
      shell: () => options.connectors.shell(server),
      sql: () => this.sql(),
      trySql: () => this.sql().catch(() => undefined),
      dropSql: () => this.dropSql(),
      detail: (step) => this.facts[step] ?? {},
      pending: () => this.pendingOutcome,
      inSecondWindow: () => this.secondWindow,
      pastPointOfNoReturn: () =>
        campaign.pointOfNoReturn !== 'never' && this.facts[campaign.pointOfNoReturn] !== undefined,
      progress: (step, fields) =>
        options.events.emit('progress', {
          at: this.now(),
          wave: options.wave,
          server: server.name,
          step,
          message: fields.message,
          journal: fields.journal ?? false,
          ...withoutUndefined({
            dirtyPages: fields.dirtyPages,
            historyListLength: fields.historyListLength,
            etaMs: fields.etaMs,
            elapsedMs: fields.elapsedMs,
          }),
        }),
      alert: (alert, message) => this.alert(alert, message),
      hookContext: () => this.hookContext(),
    };
  }

  async run(): Promise<ServerUpgradeResult> {
    const { server } = this.options;
    try {
      let { cursor, probeFirst } = await this.startingPoint();
      const resumed = this.options.history.some((record) => record.kind === 'step');
      if ('step' in cursor && resumed && runsInsideWindow(cursor.step)) {
        await this.reopenWindow(cursor.step);
      }
      while ('step' in cursor) {
        this.currentStep = cursor.step;
        const handler = handlerFor(cursor.step);
        const result =
          (probeFirst === cursor.step ? await this.probe(handler) : undefined) ??
          (await this.execute(handler));
        probeFirst = undefined;
        cursor = result.next;
      }
      await this.restoreLoweredPreflush();
      return await this.finish(cursor.outcome, cursor.reason);
    } catch (error) {
      await this.closeWindowAfterAccident(error);
      if (this.options.signal.aborted) {
        return {
          server: server.name,
          outcome: 'InProgress',
          reason: 'interrupted; run the wave again to resume',
        };
      }
      const reason = `dbwave failed on this server: ${errorMessage(error)}`;
      // Best effort, as the window's close above: its alert cannot be journaled if the journal failed.
      await this.restoreLoweredPreflush().catch(() => undefined);
      await this.finish('NeedsPerson', reason).catch(() => undefined);
      return {
        server: server.name,
        outcome: 'NeedsPerson',
        reason,
        ...(error instanceof JournalUnwritableError ? { journalUnwritable: error } : {}),
      };
    } finally {
      await this.dropSql();
      await this.options.connectors.release?.(server).catch(() => undefined);
    }
  }

  /** Where this run begins: precheck for a fresh server, else from the journal's last record. */
  private async startingPoint(): Promise<{ cursor: Next; probeFirst?: StepName }> {
    const steps = this.options.history.filter((record): record is StepRecord => record.kind === 'step');
    const last = steps.at(-1);
    const rollback = this.options.rollback;
    if (rollback !== undefined && !(last !== undefined && rollbackInFlight(last))) {
      return { cursor: this.beginRollback(rollback.reason) };
    }
    if (!last) return { cursor: { step: 'precheck' } };
    const next = last.detail?.next;
    // A window closed after an interruption names the step that was in flight: probe it first.
    // Whether or not the close finished, the resumed run reopens the window before that step.
    if (next !== undefined && 'step' in next && closedAfterInterruption(last)) {
      return { cursor: next, probeFirst: next.step };
    }
    if (last.event === 'started') {
      if (runsBeforeWindow(last.step)) {
        await this.undoUnfinishedPreflush();
        return { cursor: { step: 'precheck' } };
      }
      return { cursor: { step: last.step }, probeFirst: last.step };
    }
    if (next === undefined) {
      return {
        cursor: { outcome: 'NeedsPerson', reason: `the journal does not say what follows ${last.step}` },
      };
    }
    return { cursor: next };
  }

  /** The operator's rollback of a server whose journal ended: through a second window, unless past the point of no return. */
  private beginRollback(reason: string): Next {
    const { campaign } = this.options;
    if (this.context.pastPointOfNoReturn()) {
      return {
        outcome: 'NeedsUserMigration',
        reason: `${reason}: past the point of no return (${campaign.pointOfNoReturn}), so no downgrade`,
      };
    }
    this.pendingOutcome = { outcome: 'RolledBack', reason };
    this.unjournaledPending = this.pendingOutcome;
    return { step: 'rollback-window-open' };
  }

  /**
   * A pre-flush that reached its target leaves its settings changed until the shutdown ends
   * them. A server whose run ends before its shutdown began (the window would not open, a
   * failure between) must not keep serving with them.
   */
  private async restoreLoweredPreflush(): Promise<void> {
    if (this.facts.preflush?.loweredUntilShutdown !== true || this.facts.shutdown !== undefined) return;
    await this.restorePreflush();
  }

  /** dbwave died during the pre-flush: the settings may still be changed. */
  private async undoUnfinishedPreflush(): Promise<void> {
    const preflushStarted = this.options.history.some(
      (record) => record.kind === 'step' && record.step === 'preflush',
    );
    if (preflushStarted) await this.restorePreflush();
  }

  private async restorePreflush(): Promise<void> {
    const originals = preflushOriginals(this.facts.preflush);
    if (originals === undefined) return;
    try {
      await restorePreflushSetting(this.context, originals);
    } catch (error) {
      await this.alert(
        'other',
        `could not restore innodb_max_dirty_pages_pct=${originals.dirtyPagesPct} and innodb_io_capacity: ${errorMessage(error)}`,
      );
    }
  }

  /** A resumed run inside a window makes sure the window is open again first. */
  private async reopenWindow(resumeAt: StepName): Promise<void> {
    const step = this.secondWindow ? 'rollback-window-open' : 'window-open';
    await this.emitStep(step, 'started', { reopen: true, resumeAt });
    const started = this.options.clock.now();
    await this.options.window.open(this.options.server);
    await this.emitStep(
      step,
      'succeeded',
      { reopen: true, resumeAt },
      undefined,
      this.options.clock.now() - started,
    );
  }

  private async probe<S extends StepName>(handler: StepHandler<S>): Promise<StepResult<S> | undefined> {
    const started = this.options.clock.now();
    let result: StepResult<S> | 'rerun';
    try {
      result = await handler.probe(this.context);
    } catch (error) {
      if (this.options.signal.aborted || error instanceof JournalUnwritableError) throw error;
      // The server cannot say: the step runs again, and its run checks what it needs.
      return undefined;
    }
    if (result === 'rerun') return undefined;
    await this.record(handler.step, result, this.options.clock.now() - started);
    return result;
  }

  private async execute<S extends StepName>(handler: StepHandler<S>): Promise<StepResult<S>> {
    const { clock, signal } = this.options;
    let prepared: StepDetail<S> = {};
    let prepareError: unknown;
    try {
      prepared = (await handler.prepare?.(this.context)) ?? {};
    } catch (error) {
      if (signal.aborted || error instanceof JournalUnwritableError) throw error;
      prepareError = error;
    }
    const pending = this.unjournaledPending;
    this.unjournaledPending = undefined;
    await this.emitStep(handler.step, 'started', pending === undefined ? prepared : { ...prepared, pending });
    const started = clock.now();
    let result: StepResult<S>;
    try {
      if (prepareError !== undefined) throw prepareError;
      result = await handler.run(this.context, prepared);
    } catch (error) {
      // A journal that cannot be written is not the step's failure: no more steps without a journal.
      if (signal.aborted || error instanceof JournalUnwritableError) throw error;
      const failure = await handler.onError(this.context, error);
      result = { event: 'failed', error, ...failure };
    }
    await this.record(handler.step, result, clock.now() - started);
    return result;
  }

  private async record<S extends StepName>(
    step: S,
    result: StepResult<S>,
    durationMs: number,
  ): Promise<void> {
    if (result.pending) this.pendingOutcome = result.pending;
    if (result.detail !== undefined && 'paused' in result.detail && result.detail.paused === true) {
      this.paused = true;
    }
    const detail: StepDetail<S> = {
      ...(result.detail ?? {}),
      next: result.next,
      ...(result.pending ? { pending: result.pending } : {}),
    };
    await this.emitStep(
      step,
      result.event,
      detail,
      result.error === undefined ? undefined : summarizeError(result.error),
      durationMs,
    );
  }

  private async emitStep<S extends StepName>(
    step: S,
    event: StepEvent,
    detail: StepDetail<S>,
    error?: ErrorSummary,
    durationMs?: number,
  ): Promise<void> {
    this.remember(step, event, detail);
    await this.options.events.emit('step', {
      at: this.now(),
      wave: this.options.wave,
      server: this.options.server.name,
      // Key order as journals have always had it (step, event, then detail): scripts that grep
      // the journal for `"step":"start","event":"succeeded"` keep working.
      ...stepFields(step),
      event,
      ...(Object.keys(detail).length === 0 ? {} : stepFields(step, detail)),
      ...(error === undefined ? {} : { error }),
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  }

  /** Keeps the journaled facts, and what they say about the window, as the journal will. */
  private remember<S extends StepName>(step: S, event: StepEvent, detail: StepDetail<S>): void {
    this.facts[step] = { ...this.facts[step], ...detail };
    if (detail.pending !== undefined) this.pendingOutcome = detail.pending;
    if (step === 'rollback-window-open') this.secondWindow = true;
    if (opensWindow(step)) this.windowMaybeOpen = true;
    if (closesWindow(step) && (event === 'succeeded' || event === 'skipped')) {
      this.windowMaybeOpen = false;
    }
  }

  /**
   * dbwave itself failed or was interrupted mid-run: a window that may be open is closed now
   * (journaled, best effort), so users are never left in 503 waiting for a resume.
   */
  private async closeWindowAfterAccident(cause: unknown): Promise<void> {
    if (!this.windowMaybeOpen) return;
    const step = this.secondWindow ? 'rollback-window-close' : 'window-close';
    const reason = errorMessage(cause);
    // `next` names where the run stopped: a later run resumes there and reopens the window. It is
    // in `started` too, so that a run killed inside this close still resumes there, not after it.
    const resumeAt = this.currentStep;
    const detail = { afterInterruption: reason, ...(resumeAt ? { next: { step: resumeAt } } : {}) };
    await this.emitStep(step, 'started', detail).catch(() => undefined);
    try {
      await this.options.window.close(this.options.server);
      this.windowMaybeOpen = false;
      await this.emitStep(step, 'succeeded', detail).catch(() => undefined);
    } catch (error) {
      await this.emitStep(step, 'failed', { afterInterruption: reason }, summarizeError(error)).catch(
        () => undefined,
      );
      await this.alert('other', `the 503 window may still be open: ${errorMessage(error)}`).catch(
        () => undefined,
      );
    }
  }

  private async finish(outcome: ServerOutcome, reason?: string): Promise<ServerUpgradeResult> {
    await this.options.events.emit('outcome', {
      at: this.now(),
      wave: this.options.wave,
      server: this.options.server.name,
      outcome,
      ...(reason === undefined ? {} : { reason }),
    });
    const paused = this.paused;
    return {
      server: this.options.server.name,
      outcome,
      ...(reason === undefined ? {} : { reason }),
      ...(paused ? { paused } : {}),
    };
  }

  private async alert(alert: AlertKind, message: string): Promise<void> {
    await this.options.events.emit('alert', {
      at: this.now(),
      wave: this.options.wave,
      server: this.options.server.name,
      alert,
      message,
    });
  }

  private async sql(): Promise<SqlSession> {
    this.session ??= await this.options.connectors.sql(this.options.server);
    return this.session;
  }

  private async dropSql(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close().catch(() => undefined);
  }

  private hookContext(): HookContext {
    const errorLog = this.facts.precheck?.errorLog;
    // After a rollback (in the first window or a second one) the gates judge the old version's
    // start, not the lines the new version wrote before it was rolled back.
    const rollingBack = this.currentStep !== undefined && isRollbackStep(this.currentStep);
    const startOffset = this.facts[rollingBack ? 'rollback-start' : 'start']?.errorLogOffset;
    return {
      server: this.options.server,
      campaign: this.options.campaign,
      wave: this.options.wave,
      clock: this.options.clock,
      events: this.options.events,
      signal: this.options.signal,
      shell: this.context.shell,
      sql: this.context.sql,
      ...(errorLog === undefined
        ? {}
        : { errorLog: { path: errorLog, ...(startOffset === undefined ? {} : { startOffset }) } }),
    };
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

/** The journal's last step of a server is a rollback step that has not reached an outcome yet. */
function rollbackInFlight(last: StepRecord): boolean {
  if (!isRollbackStep(last.step)) return false;
  if (last.event === 'started') return true;
  const next = last.detail?.next;
  return next !== undefined && 'step' in next;
}

/** The record closed a window on dbwave's way out of a failed or interrupted run. */
function closedAfterInterruption(record: StepRecord): boolean {
  const detail = record.detail;
  return detail !== undefined && 'afterInterruption' in detail && detail.afterInterruption !== undefined;
}

function requireCommands(campaign: Campaign, campaignFile: string): NonNullable<Campaign['commands']> {
  if (!campaign.commands) {
    throw new DbwaveError(
      ErrorCode.InvalidInput,
      `${campaignFile}: commands: a campaign that runs needs its commands`,
    );
  }
  return campaign.commands;
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
