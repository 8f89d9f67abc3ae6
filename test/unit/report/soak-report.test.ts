import { describe, expect, it } from 'vitest';
import { buildWaveReport } from '../../../src/report/build-wave-report.js';
import { renderReportHtml } from '../../../src/report/render-html.js';
import { renderReportMarkdown } from '../../../src/report/render-markdown.js';
import { broadcastOver, urgentKey } from '../../../src/report/status-broadcaster.js';
import { statusUpdateText } from '../../../src/report/status-update.js';
import { healthyWave, LIMITS, PLANNED_SERVERS, type SyntheticJournal } from './synthetic-journal.js';

const SOAK = { points: [5_000, 60_000], tolerance: 600_000, gating: [5_000, 60_000] };
const PLAN = 'waves/fleet.plan.yaml';

function reportAt(journal: SyntheticJournal, now = journal.clock) {
  return buildWaveReport({
    campaign: journal.campaign,
    wave: 1,
    records: journal.records,
    plannedServers: PLANNED_SERVERS,
    limits: LIMITS,
    now,
    soak: { settings: SOAK, plan: PLAN },
  });
}

/** The healthy wave, then its +5s point taken 2 s late: db-a1 fails, the others pass. */
function firstPointTaken(): { journal: SyntheticJournal; endedAt: number } {
  const journal = healthyWave();
  const endedAt = journal.clock;
  journal.wait(7_000);
  const stamp = {
    kind: 'soak',
    wave: 1,
    pointMs: 5_000,
    dueAt: new Date(endedAt + 5_000).toISOString(),
    lateMs: 2_000,
  } as const;
  journal.add({ ...stamp, event: 'started' });
  for (const server of PLANNED_SERVERS) {
    const verdict = server.name === 'db-a1' ? 'fail' : 'pass';
    journal.add({
      kind: 'soak-verdict',
      wave: 1,
      server: server.name,
      pointMs: 5_000,
      verdict,
      evidence: `${verdict}: row_lock_current_waits 0 -> 3`,
    });
  }
  journal.add({ ...stamp, event: 'finished', verdict: 'fail' });
  return { journal, endedAt };
}

describe("the report's soak", () => {
  it('shows each point pending once the wave ended, and keeps a broadcast going for them', () => {
    const journal = healthyWave();
    const report = reportAt(journal);
    expect(report.soak?.points.map((point) => [point.point, point.state])).toEqual([
      ['+5s', 'waiting'],
      ['+1m', 'waiting'],
    ]);
    expect(broadcastOver(report)).toBe(false);
    expect(statusUpdateText(report)).toContain('soak +5s at ');
  });

  it('is a time line per server, with the failing server, its evidence and the rollback to run', () => {
    const { journal } = firstPointTaken();
    const report = reportAt(journal);
    expect(
      report.soak?.servers.map((timeline) => [
        timeline.server,
        timeline.points.map((entry) => entry.verdict),
      ]),
    ).toEqual([
      ['db-a1', ['fail']],
      ['db-b1', ['pass']],
      ['db-c1', ['pass']],
    ]);
    expect(report.soak?.failed).toEqual(['db-a1']);
    expect(report.soak?.rollbackCommands).toEqual([`dbwave rollback ${PLAN} --wave 1 --server db-a1`]);
    expect(report.soak?.points[0]).toMatchObject({ state: 'done', lateMs: 2_000, verdict: 'fail' });

    const markdown = renderReportMarkdown(report);
    expect(markdown).toContain('## Soak');
    expect(markdown).toMatch(/\| Server +\| \+5s +\| \+1m +\|/);
    expect(markdown).toMatch(/\| db-a1 +\| fail +\| - +\|/);
    expect(markdown).toContain('- db-a1 +5s fail: fail: row_lock_current_waits 0 -> 3');
    expect(markdown).toContain(`dbwave rollback ${PLAN} --wave 1 --server db-a1`);
    expect(markdown).toContain('+5s due 2011-09-20');
    expect(markdown).toContain('fail, taken');
    expect(markdown).toContain('2s late');

    const html = renderReportHtml(report);
    expect(html).toContain('<h2>Soak</h2>');
    expect(html).toContain(`dbwave rollback ${PLAN} --wave 1 --server db-a1`);

    const update = statusUpdateText(report);
    expect(update).toContain('soak +5s fail');
    expect(update).toContain('SOAK FAILED on db-a1');
  });

  it('broadcasts a taken point at once, and ends the broadcast once every point is taken or missed', () => {
    const { journal, endedAt } = firstPointTaken();
    const before = urgentKey({ report: reportAt(healthyWave()) });
    expect(urgentKey({ report: reportAt(journal) })).not.toBe(before);
    journal.wait(20 * 60_000);
    journal.add({
      kind: 'soak',
      wave: 1,
      event: 'missed',
      pointMs: 60_000,
      dueAt: new Date(endedAt + 60_000).toISOString(),
      lateMs: 19 * 60_000,
    });
    const report = reportAt(journal);
    expect(report.soak?.points.map((point) => point.state)).toEqual(['done', 'missed']);
    expect(renderReportMarkdown(report)).toContain('+1m due');
    expect(renderReportMarkdown(report)).toContain('MISSED (nothing was running to take it, 19m00s late)');
    expect(broadcastOver(report)).toBe(true);
  });
});
