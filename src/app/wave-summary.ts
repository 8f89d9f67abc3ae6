import type { WaveRunResult } from '../engine/wave/wave-runner.js';

/** What a wave driver was asked to do to each server: upgrade it, or roll it back. */
export type WaveAction = 'run' | 'rollback';

/** The lines printed when a wave returns: a verdict, then one row per server with its outcome. */
export function waveSummary(result: WaveRunResult, action: WaveAction): string {
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
