import type { SoakSettings } from '../../model/campaign-schema.js';
import type { JournalRecord, SoakRecord, SoakVerdictRecord, WaveRecord } from '../journal/journal-record.js';

/**
 * Where each soak point of a wave stands, from the journal and the time. Pure: the journal's
 * records, the campaign's soak settings and `now` in, one entry per point out. `dbwave soak`,
 * `status --every`, the wave order and the report all read the same answer.
 */

/**
 * - `waiting`: not due yet.
 * - `due`: due and within `soak.tolerance`: the next process to look takes it (late, if it is).
 * - `interrupted`: started and never finished (the taker died or was stopped): taken again.
 * - `done`: taken; its verdict is the worst of its servers'.
 * - `missed`: nothing took it within the tolerance: journaled as missed (or about to be).
 */
export const SOAK_POINT_STATES = ['waiting', 'due', 'interrupted', 'done', 'missed'] as const;
export type SoakPointState = (typeof SOAK_POINT_STATES)[number];

/** The states in which a process that holds the campaign acts on a point: take it, or journal it missed. */
export const ACTIONABLE_SOAK_STATES: readonly SoakPointState[] = ['due', 'interrupted', 'missed'];

export interface SoakPointStatus {
  /** Milliseconds after the wave's end. */
  readonly pointMs: number;
  readonly dueAt: string;
  readonly state: SoakPointState;
  /** Whether the next wave waits for this point (campaign `soak.gating`). */
  readonly gates: boolean;
  /** When it was taken (started), for `done` and `interrupted`. */
  readonly takenAt?: string;
  /** How late it was taken or found missed; for a point not journaled missed yet, how late it is now. */
  readonly lateMs?: number;
  /** Whether the `missed` is in the journal (a process has seen it), or only seen now. */
  readonly journaled: boolean;
  /** `done`: the worst of the servers' verdicts. */
  readonly verdict?: SoakVerdictRecord['verdict'];
  /** `done`: each server's verdict, in journal order. */
  readonly servers: readonly SoakVerdictRecord[];
}

/** When the wave last ended (its latest `finished` or `halted` record), if it is not running now. */
export function waveEndedAt(records: readonly JournalRecord[], wave: number): string | undefined {
  const waveRecords = records.filter(
    (record): record is WaveRecord => record.kind === 'wave' && record.wave === wave,
  );
  const last = waveRecords.at(-1);
  return last?.event === 'finished' || last?.event === 'halted' ? last.at : undefined;
}

/**
 * Each soak point of `wave`, in order; empty while the wave has not ended (no point is due before
 * its end) or when the campaign has no soak points.
 */
export function soakSchedule(
  records: readonly JournalRecord[],
  wave: number,
  settings: SoakSettings,
  now: number,
): SoakPointStatus[] {
  const endedAt = waveEndedAt(records, wave);
  if (endedAt === undefined) return [];
  const soakRecords = records.filter(
    (record): record is SoakRecord => record.kind === 'soak' && record.wave === wave,
  );
  const verdicts = records.filter(
    (record): record is SoakVerdictRecord => record.kind === 'soak-verdict' && record.wave === wave,
  );
  return settings.points.map((pointMs) => {
    const dueMs = Date.parse(endedAt) + pointMs;
    const base = {
      pointMs,
      dueAt: new Date(dueMs).toISOString(),
      gates: settings.gating.includes(pointMs),
    };
    // Records of this point since the wave's end: a wave run again later starts its soak afresh.
    const mine = soakRecords.filter((record) => record.pointMs === pointMs && record.at >= endedAt);
    const last = mine.at(-1);
    const started = mine.filter((record) => record.event === 'started').at(-1);
    if (last?.event === 'missed') {
      return { ...base, state: 'missed', lateMs: last.lateMs, journaled: true, servers: [] };
    }
    if (last?.event === 'finished' && started !== undefined) {
      const servers = verdicts.filter(
        (record) => record.pointMs === pointMs && record.seq > started.seq && record.seq < last.seq,
      );
      return {
        ...base,
        state: 'done',
        takenAt: started.at,
        lateMs: started.lateMs,
        journaled: true,
        ...(last.verdict === undefined ? {} : { verdict: last.verdict }),
        servers,
      };
    }
    const lateMs = Math.max(0, now - dueMs);
    if (started !== undefined) {
      return { ...base, state: 'interrupted', takenAt: started.at, lateMs, journaled: true, servers: [] };
    }
    if (now < dueMs) return { ...base, state: 'waiting', journaled: false, servers: [] };
    return {
      ...base,
      state: lateMs > settings.tolerance ? 'missed' : 'due',
      lateMs,
      journaled: false,
      servers: [],
    };
  });
}

/** Whether a process holding the campaign has something to do about the point now. */
export function soakPointActionable(point: SoakPointStatus): boolean {
  return ACTIONABLE_SOAK_STATES.includes(point.state) && !(point.state === 'missed' && point.journaled);
}

/** Whether nothing more will happen to the point: taken, or journaled missed. */
export function soakPointSettled(point: SoakPointStatus): boolean {
  return point.state === 'done' || (point.state === 'missed' && point.journaled);
}

/** When the next point that is waiting comes due, if one is. */
export function nextSoakDue(points: readonly SoakPointStatus[]): number | undefined {
  const waiting = points.filter((point) => point.state === 'waiting').map((point) => Date.parse(point.dueAt));
  return waiting.length === 0 ? undefined : Math.min(...waiting);
}
