import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { showPlanFile } from '../../../src/app/show-plan-file.js';
import type { Plan } from '../../../src/model/plan.js';
import { calendarWarnings, localToday } from '../../../src/planner/calendar-warnings.js';
import { plannedDay } from '../../../src/planner/campaign-calendar.js';
import { CORPUS } from '../cli/bad-input-case.js';

const zone = 'America/Los_Angeles';

function planOn(dates: readonly string[], window: { start: string; end: string }): Plan {
  return {
    campaign: 'c',
    timezone: zone,
    campaignFile: 'c.yaml',
    waves: [
      { index: 1, days: dates.map((date) => plannedDay(date, { timezone: zone, window })), servers: [] },
    ],
  };
}

describe('calendar warnings', () => {
  it('says when a window falls in the spring-forward gap and when it really runs', () => {
    const window = { start: '02:10', end: '02:50' };
    const warnings = calendarWarnings(
      planOn(['2027-03-13', '2027-03-14'], window),
      { timezone: zone, window },
      '2027-01-01',
    );
    expect(warnings).toEqual([
      'wave 1, 2027-03-14: the window 02:10-02:50 falls in the daylight-saving gap of America/Los_Angeles (those local times do not exist that night): it runs 03:10-03:50 by the local clock',
    ]);
  });

  it('warns when every day of the plan is past, and not when one is still ahead', () => {
    const window = { start: '09:00', end: '18:00' };
    const plan = planOn(['2011-09-20', '2011-09-22'], window);
    expect(calendarWarnings(plan, { timezone: zone, window }, '2026-12-01')).toEqual([
      'every day of this plan is in the past (its last is 2011-09-22, today is 2026-12-01 in America/Los_Angeles): check the years; run refuses a wave outside its day unless --ignore-date',
    ]);
    expect(calendarWarnings(plan, { timezone: zone, window }, '2011-09-22')).toEqual([]);
  });

  it("takes today in the campaign's zone, not UTC", () => {
    // 2026-12-02 05:00 UTC is still the 1st in Los Angeles.
    expect(localToday(Date.parse('2026-12-02T05:00:00Z'), zone)).toBe('2026-12-01');
  });

  it('are shown by show, in its output and on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbwave-dst-'));
    try {
      await cp(join(CORPUS, 'base'), dir, { recursive: true });
      const campaign = (await readFile(join(dir, 'campaign.yaml'), 'utf8'))
        .replace('window: { start: "09:00", end: "18:00" }', 'window: { start: "02:10", end: "02:50" }')
        .replace('blackout: [2011-09-28]', 'blackout: []')
        .replace(
          /waves:[\s\S]*/,
          'waves:\n  - { date: 2027-03-13, size: 6 }\n  - { date: 2027-03-14, size: rest }\n',
        );
      await writeFile(join(dir, 'campaign.yaml'), campaign);
      const silent = { stdout: { write: () => true }, stderr: { write: () => true } };
      expect(await planCampaign({ campaign: 'campaign.yaml' }, silent, dir)).toBe(0);
      const out: string[] = [];
      const err: string[] = [];
      const streams = {
        stdout: { write: (text: string) => out.push(text) },
        stderr: { write: (text: string) => err.push(text) },
      };
      expect(await showPlanFile({ plan: 'lab-upgrade.plan.yaml' }, streams, dir)).toBe(0);
      const gap = 'wave 2, 2027-03-14: the window 02:10-02:50 falls in the daylight-saving gap';
      expect(out.join('')).toContain('\nWarnings:\n');
      expect(out.join('')).toContain(`\n- ${gap}`);
      expect(err.join('')).toContain(`dbwave: warning: lab-upgrade.plan.yaml: ${gap}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
