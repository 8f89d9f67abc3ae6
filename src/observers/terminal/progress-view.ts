import { createLogUpdate } from 'log-update';
import { formatDuration } from '../../core/duration.js';
import type { EngineEvents } from '../../engine/events/engine-events.js';
import { applyCanaryRecord, type CanaryStageState } from '../../engine/journal/canary-stage-state.js';
import type { ServerOutcome, StepEvent, StepName } from '../../engine/journal/journal-record.js';
import { isFinalOutcome } from '../../engine/journal/server-outcome.js';
import type { Clock } from '../../engine/ports/clock.js';
import { isOverShutdownBudget } from '../../model/shutdown-limits.js';
import { closesWindow, opensWindow } from '../../model/step-facts.js';
import { attachProgressLines } from './progress-lines.js';

/**
 * The operator's terminal during `dbwave run`. On a TTY: a live view redrawn every second, one
 * line per server in flight (step, elapsed, shutdown ETA, window against its target), the done
 * and the waiting summed up. Elsewhere (a pipe, a CI log, `nohup`): the engine's plain
 * timestamped lines (progress-lines.ts). It only listens to the engine's events; the engine
 * knows nothing of it.
 */

/** What the view writes to: process.stdout, or any stream-like object in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly rows?: number;
}

export interface ProgressViewOptions {
  readonly events: EngineEvents;
  readonly clock: Clock;
  /** Where to draw: process.stdout in the CLI. */
  readonly stream: ProgressStream;
  readonly campaign: string;
  readonly wave: number;
  /** The wave's servers in execution order: they are listed before any event. */
  readonly servers: readonly string[];
  readonly target503Ms: number;
  readonly shutdownBudgetMs: number;
  /** Force the mode (tests); default from `stream.isTTY`. */
  readonly live?: boolean;
  /** Redraw interval on a TTY (default 1 s). */
  readonly refreshMs?: number;
}

/** One server as the live view shows it. */
export interface ServerLine {
  outcome: ServerOutcome;
  startedAt?: number;
  endedAt?: number;
  step?: StepName;
  stepSince?: number;
  windowOpenedAt?: number;
  windowMs?: number;
  etaMs?: number;
  dirtyPages?: number;
  message?: string;
  reason?: string;
}

const PERSON_OUTCOMES: readonly ServerOutcome[] = ['NeedsPerson', 'NeedsUserMigration'];

/** The view's model: every server's latest step and timings, from the events. Pure state. */
export class ProgressModel {
  readonly lines = new Map<string, ServerLine>();
  waveStartedAt?: number;
  waveState: 'waiting' | 'running' | 'finished' | 'halted' = 'waiting';
  /** The first wave's canary bake, from the engine's canary events. */
  canary?: CanaryStageState;

  constructor(servers: readonly string[]) {
    for (const server of servers) this.lines.set(server, { outcome: 'NotExecuted' });
  }

  line(server: string): ServerLine {
    let line = this.lines.get(server);
    if (line === undefined) {
      line = { outcome: 'NotExecuted' };
      this.lines.set(server, line);
    }
    return line;
  }
}

function at(iso: string): number {
  return Date.parse(iso);
}

/** One line of the live view for a server in flight. */
export function inFlightLine(
  name: string,
  line: ServerLine,
  now: number,
  options: Pick<ProgressViewOptions, 'target503Ms' | 'shutdownBudgetMs'>,
): string {
  const parts = [name.padEnd(18), (line.step ?? '-').padEnd(16)];
  parts.push(line.stepSince === undefined ? '' : formatDuration(now - line.stepSince).padStart(8));
  if (line.step === 'shutdown' && line.stepSince !== undefined) {
    const waited = now - line.stepSince;
    const eta = line.etaMs === undefined ? 'ETA ?' : `ETA ${formatDuration(line.etaMs)}`;
    const over = isOverShutdownBudget(waited, options.shutdownBudgetMs) ? ' OVER BUDGET' : '';
    parts.push(`${eta}${line.dirtyPages === undefined ? '' : ` (${line.dirtyPages} dirty)`}${over}`);
  }
  if (line.windowOpenedAt !== undefined) {
    const open = now - line.windowOpenedAt;
    parts.push(
      `503 ${formatDuration(open)}/${formatDuration(options.target503Ms)}${open > options.target503Ms ? ' OVER' : ''}`,
    );
  }
  return `  ${parts.join(' ')}`.trimEnd();
}

/** The whole live view as text. */
export function renderProgress(
  model: ProgressModel,
  now: number,
  options: Pick<ProgressViewOptions, 'campaign' | 'wave' | 'target503Ms' | 'shutdownBudgetMs'>,
  maxLines = 40,
): string {
  const entries = [...model.lines.entries()];
  const flying = entries.filter(([, line]) => line.outcome === 'InProgress');
  const done = entries.filter(([, line]) => isFinalOutcome(line.outcome));
  const person = entries.filter(([, line]) => PERSON_OUTCOMES.includes(line.outcome));
  const waiting = entries.filter(([, line]) => line.outcome === 'NotExecuted');
  const elapsed = model.waveStartedAt === undefined ? '' : ` · ${formatDuration(now - model.waveStartedAt)}`;
  const lines = [
    `dbwave ${options.campaign} wave ${options.wave} ${model.waveState} · ${done.length}/${entries.length} done · ${flying.length} in flight · ${waiting.length} waiting${elapsed}`,
  ];
  if (model.canary !== undefined) lines.push(canaryLine(model.canary, now));
  for (const [name, line] of flying) lines.push(inFlightLine(name, line, now, options));
  for (const [name, line] of person)
    lines.push(`  ${name.padEnd(18)} NEEDS A PERSON: ${line.reason ?? line.outcome}`);
  const recent = done
    .filter(([, line]) => !PERSON_OUTCOMES.includes(line.outcome))
    .sort(([, a], [, b]) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  const room = Math.max(0, maxLines - lines.length - 2);
  for (const [name, line] of recent.slice(0, room)) {
    const window = line.windowMs === undefined ? '' : `, 503 ${formatDuration(line.windowMs)}`;
    const took =
      line.startedAt === undefined || line.endedAt === undefined
        ? ''
        : ` in ${formatDuration(line.endedAt - line.startedAt)}`;
    lines.push(`  ${name.padEnd(18)} ${line.outcome}${took}${window}`);
  }
  if (recent.length > room) lines.push(`  ... and ${recent.length - room} more done`);
  if (waiting.length > 0) {
    const names = waiting.slice(0, 8).map(([name]) => name);
    lines.push(
      `  waiting: ${names.join(', ')}${waiting.length > names.length ? `, +${waiting.length - names.length}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** The canary bake in the live view: its countdown and the verdict so far, or its decision. */
export function canaryLine(stage: CanaryStageState, now: number): string {
  const canaries = stage.canaries.join(', ');
  if (stage.decision !== undefined)
    return `  canaries ${canaries}: ${stage.decision === 'go-on' ? 'bake passed, the wave goes on' : `WAVE STOPPED: ${stage.reason ?? ''}`}`;
  if (stage.endsAt === undefined) return `  canaries ${canaries}: upgrading first`;
  const left = Math.max(0, Date.parse(stage.endsAt) - now);
  const soFar =
    stage.verdict === undefined
      ? 'no comparison yet'
      : `verdict so far ${stage.verdict} (${stage.checkCount} comparison(s))`;
  return `  canaries ${canaries}: BAKE ${formatDuration(left)} left of ${formatDuration(stage.bakeMs ?? 0)} · ${soFar}`;
}

export interface ProgressView {
  /**
   * Runs `question` with the live view out of its way: the frame is left in the scrollback,
   * nothing is drawn until the answer, then the view starts again below it. A redraw would
   * otherwise erase the question the DBA is reading. Plain lines are left as they are.
   */
  hold<T>(question: () => Promise<T>): Promise<T>;
  /** Draws the final state and stops redrawing. */
  close(): void;
}

/** Subscribes the view to the engine's events; call `close()` when the run ends. */
export function attachProgressView(options: ProgressViewOptions): ProgressView {
  const live = options.live ?? options.stream.isTTY === true;
  if (!live) {
    const detachLines = attachProgressLines(options.events, { write: (line) => options.stream.write(line) });
    return { hold: (question) => question(), close: detachLines };
  }
  const model = new ProgressModel(options.servers);
  // Only a TTY gets here, and a TTY is a real stream.
  const draw = createLogUpdate(options.stream as NodeJS.WriteStream);
  // Questions at the terminal in progress: no drawing while any is.
  let holding = 0;
  const redraw = (): void => {
    if (holding > 0) return;
    try {
      draw(
        renderProgress(model, options.clock.now(), options, Math.max(10, (options.stream.rows ?? 40) - 2)),
      );
    } catch {
      // Drawing must never fail the engine's emit.
    }
  };
  const detach = [
    options.events.on('wave', (event) => {
      if (event.wave !== options.wave) return;
      if (event.event === 'started' || event.event === 'resumed') {
        model.waveState = 'running';
        model.waveStartedAt ??= at(event.at);
        for (const server of event.servers ?? []) model.line(server);
      } else {
        model.waveState = event.event;
      }
      redraw();
    }),
    options.events.on('step', (event) => {
      applyStep(model.line(event.server), event.step, event.event, at(event.at));
      redraw();
    }),
    options.events.on('progress', (event) => {
      const line = model.line(event.server);
      line.etaMs = event.etaMs;
      line.dirtyPages = event.dirtyPages;
      line.message = event.message;
      redraw();
    }),
    options.events.on('canary', (event) => {
      if (event.wave !== options.wave) return;
      model.canary = applyCanaryRecord(model.canary, event);
      redraw();
    }),
    options.events.on('alert', () => redraw()),
    options.events.on('outcome', (event) => {
      const line = model.line(event.server);
      line.outcome = event.outcome;
      line.endedAt = at(event.at);
      line.step = undefined;
      line.stepSince = undefined;
      if (event.reason !== undefined) line.reason = event.reason;
      redraw();
    }),
  ];
  const timer = setInterval(redraw, options.refreshMs ?? 1_000);
  timer.unref();
  redraw();
  return {
    hold: async (question) => {
      if (holding === 0) {
        redraw();
        draw.done();
      }
      holding += 1;
      try {
        return await question();
      } finally {
        holding -= 1;
        redraw();
      }
    },
    close: () => {
      clearInterval(timer);
      for (const off of detach) off();
      redraw();
      draw.done();
    },
  };
}

/** A step event's effect on a server's line. */
export function applyStep(line: ServerLine, step: StepName, event: StepEvent, when: number): void {
  if (line.outcome === 'NotExecuted') line.outcome = 'InProgress';
  line.startedAt ??= when;
  if (event === 'started') {
    line.step = step;
    line.stepSince = when;
    line.etaMs = undefined;
    line.dirtyPages = undefined;
  }
  if (event === 'succeeded' && opensWindow(step)) line.windowOpenedAt = when;
  if ((event === 'succeeded' || event === 'skipped') && closesWindow(step)) {
    if (line.windowOpenedAt !== undefined)
      line.windowMs = (line.windowMs ?? 0) + (when - line.windowOpenedAt);
    line.windowOpenedAt = undefined;
  }
}
