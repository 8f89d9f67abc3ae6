import type { StatsRecord } from '../../../src/engine/journal/journal-record.js';

/** Whom a control sampling was taken for, and beside which of its samplings (absent: an old journal). */
export interface ControlMark {
  readonly for: string;
  readonly phase?: StatsRecord['controlPhase'];
}

let seq = 0;

/** A journaled sampling of `server` whose data_fsyncs series is `values`. */
export function sampling(
  server: string,
  phase: StatsRecord['phase'],
  values: readonly number[],
  control?: ControlMark,
): StatsRecord {
  seq += 1;
  return {
    v: 1,
    seq,
    at: '2026-11-24T10:00:00.000Z',
    campaign: 'test',
    kind: 'stats',
    wave: 1,
    server,
    phase,
    ...(control === undefined ? {} : { controlFor: control.for }),
    ...(control?.phase === undefined ? {} : { controlPhase: control.phase }),
    intervalMs: 10_000,
    series: { data_fsyncs: values },
  };
}
