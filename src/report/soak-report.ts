import { soakPointLabel } from '../core/duration.js';
import type { JournalRecord } from '../engine/journal/journal-record.js';
import { replayJournal } from '../engine/journal/journal-replay.js';
import { soakRollbackCommands } from '../engine/wave/soak-rollback-advice.js';
import { soakSchedule } from '../engine/wave/soak-schedule.js';
import type { SoakSettings } from '../model/campaign-schema.js';
import type { SoakReport } from './wave-report.js';

/** What the report needs to show a wave's soak: the campaign's points, and the plan the commands name. */
export interface SoakReportInput {
  readonly settings: SoakSettings;
  /** The plan file as the recommended commands name it. */
  readonly plan: string;
}

/**
 * The wave's soak as a time line per server: each point's state, and each server's verdict at
 * each point taken; the servers that failed it and still run the new version, and the rollback
 * recommended for them. Undefined while the wave has not ended, or without soak points. Pure.
 */
export function buildSoakReport(
  records: readonly JournalRecord[],
  wave: number,
  input: SoakReportInput,
  now: number,
): SoakReport | undefined {
  const points = soakSchedule(records, wave, input.settings, now);
  if (points.length === 0) return undefined;
  const replay = replayJournal(records);
  const servers = new Map<
    string,
    { point: string; verdict: 'pass' | 'fail' | 'inconclusive'; evidence: string }[]
  >();
  for (const point of points) {
    for (const record of point.servers) {
      const timeline = servers.get(record.server) ?? [];
      timeline.push({
        point: soakPointLabel(point.pointMs),
        verdict: record.verdict,
        evidence: record.evidence,
      });
      servers.set(record.server, timeline);
    }
  }
  const failed = [...servers.entries()]
    .filter(
      ([server, timeline]) =>
        timeline.some((entry) => entry.verdict === 'fail') &&
        replay.servers.get(server)?.outcome === 'Upgraded',
    )
    .map(([server]) => server);
  return {
    points: points.map((point) => ({
      point: soakPointLabel(point.pointMs),
      pointMs: point.pointMs,
      dueAt: point.dueAt,
      state: point.state,
      gates: point.gates,
      ...(point.takenAt === undefined ? {} : { takenAt: point.takenAt }),
      ...(point.lateMs === undefined ? {} : { lateMs: point.lateMs }),
      ...(point.verdict === undefined ? {} : { verdict: point.verdict }),
    })),
    servers: [...servers.entries()].map(([server, timeline]) => ({ server, points: timeline })),
    failed,
    rollbackCommands: soakRollbackCommands(input.plan, wave, failed),
  };
}
