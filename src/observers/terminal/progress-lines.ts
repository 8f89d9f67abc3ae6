import { formatDuration } from '../../core/duration.js';
import type { EngineEvents } from '../../engine/events/engine-events.js';

export interface ProgressLinesOptions {
  readonly write: (line: string) => void;
  /** A server's progress lines of one step are printed at most this often (default 10 s); the first always. */
  readonly progressEveryMs?: number;
}

/**
 * Plain timestamped lines for a terminal or a log file: one per step transition, outcome,
 * alert and wave event, and throttled shutdown progress. Returns the function that detaches it.
 */
export function attachProgressLines(events: EngineEvents, options: ProgressLinesOptions): () => void {
  const lastProgress = new Map<string, number>();
  const every = options.progressEveryMs ?? 10_000;
  const line = (at: string, text: string): void => options.write(`${at.replace(/\.\d{3}Z$/, 'Z')} ${text}\n`);
  const detachers = [
    events.on('wave', (wave) => {
      const servers = wave.servers === undefined ? '' : ` (${wave.servers.length} servers)`;
      line(wave.at, `wave ${wave.wave} ${wave.event}${servers}${wave.reason ? `: ${wave.reason}` : ''}`);
    }),
    events.on('step', (step) => {
      const took = step.durationMs === undefined ? '' : ` in ${formatDuration(step.durationMs)}`;
      const error = step.error ? `: ${step.error.message}` : '';
      const reconciled = step.detail?.reconciled === true ? ' (found done on the server)' : '';
      line(step.at, `${step.server.padEnd(12)} ${step.step} ${step.event}${took}${reconciled}${error}`);
    }),
    events.on('progress', (progress) => {
      const at = Date.parse(progress.at);
      const key = `${progress.server} ${progress.step}`;
      const previous = lastProgress.get(key);
      if (previous !== undefined && at - previous < every) return;
      lastProgress.set(key, at);
      line(progress.at, `${progress.server.padEnd(12)} ${progress.step}: ${progress.message}`);
    }),
    events.on('canary', (canary) => {
      const what =
        canary.event === 'bake-started'
          ? `bake started, ${formatDuration(canary.bakeMs ?? 0)}, ends ${canary.endsAt ?? '?'}`
          : canary.event === 'bake-check'
            ? `bake verdict so far ${canary.verdict ?? '?'}: ${(canary.checks ?? []).map((check) => `${check.server} ${check.verdict}`).join(', ')}`
            : `${canary.decision === 'go-on' ? 'the wave goes on' : 'WAVE STOPPED'}: ${canary.reason ?? ''}`;
      line(canary.at, `canaries ${canary.canaries.join(', ')}: ${what}`);
    }),
    events.on('alert', (alert) => {
      line(alert.at, `ALERT ${alert.alert}${alert.server ? ` ${alert.server}` : ''}: ${alert.message}`);
    }),
    events.on('outcome', (outcome) => {
      line(
        outcome.at,
        `${outcome.server.padEnd(12)} => ${outcome.outcome}${outcome.reason ? ` (${outcome.reason})` : ''}`,
      );
    }),
  ];
  return () => {
    for (const detach of detachers) detach();
  };
}
