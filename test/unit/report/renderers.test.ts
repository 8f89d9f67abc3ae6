import { describe, expect, it } from 'vitest';
import { buildWaveReport } from '../../../src/report/build-wave-report.js';
import { renderReportHtml } from '../../../src/report/render-html.js';
import { renderReportJson } from '../../../src/report/render-json.js';
import { renderReportMarkdown } from '../../../src/report/render-markdown.js';
import { statusUpdateText } from '../../../src/report/status-update.js';
import {
  killedWave,
  LIMITS,
  PLANNED_SERVERS,
  rollbackWave,
  type SyntheticJournal,
} from './synthetic-journal.js';

function reportOf(journal: SyntheticJournal) {
  return buildWaveReport({
    campaign: journal.campaign,
    wave: 1,
    records: journal.records,
    plannedServers: PLANNED_SERVERS,
    limits: LIMITS,
    now: journal.clock,
  });
}

/** A rollback wave whose gate evidence holds what would break a table or a page. */
function hostileWave(): SyntheticJournal {
  const journal = rollbackWave();
  journal.add({
    kind: 'gate',
    wave: 1,
    server: 'db-a1',
    phase: 'readiness',
    gate: 'smoke',
    verdict: 'inconclusive',
    evidence: 'a | b\n<script>alert(1)</script>',
  });
  return journal;
}

describe('the JSON report', () => {
  it('starts with its schema version and keeps the documented InnoDB row fields', () => {
    const json = JSON.parse(renderReportJson(reportOf(rollbackWave())));
    expect(Object.keys(json)[0]).toBe('schemaVersion');
    for (const metric of json.servers[0].innodb.metrics) {
      expect(Object.keys(metric).slice(0, 5)).toEqual(['name', 'before', 'after', 'change', 'verdict']);
    }
  });
});

describe('the Markdown report', () => {
  it('keeps a table whole when a gate evidence holds a pipe or a newline', () => {
    const markdown = renderReportMarkdown(reportOf(hostileWave()));
    const row = markdown.split('\n').find((line) => line.startsWith('| readiness | smoke |'));
    expect(row).toBe('| readiness | smoke | inconclusive | - | a \\| b <script>alert(1)</script> |  |');
  });

  it('summarises the wave, then every server that ran', () => {
    const markdown = renderReportMarkdown(reportOf(rollbackWave()));
    expect(markdown).toContain('## Summary');
    expect(markdown).toContain('- Failure budget: 1 used of 1 allowed (1).');
    expect(markdown).toContain('### db-a1 (ix-6) — upgraded');
    expect(markdown).toContain('dirty pages 18000 → 800 (target reached)');
    expect(markdown).not.toContain('### db-c1');
  });
});

describe('the HTML report', () => {
  const html = renderReportHtml(reportOf(hostileWave()));

  it('holds no script, no stylesheet link and no reference to anything outside the file', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes what the journal holds', () => {
    expect(html).toContain('a | b\n&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('draws the window and shutdown charts with their target and budget', () => {
    expect(html).toContain('target 10m00s');
    expect(html).toContain('budget 1h00m00s (off scale →)');
  });
});

describe('the status update', () => {
  it('says what is done, what is in flight and that nothing needs a person', () => {
    const text = statusUpdateText(reportOf(killedWave()));
    expect(text).toBe(
      '[16:09 UTC] fleet-5158 wave 1 in progress · 1/3 done (1 upgraded) · in flight: db-b1 shutdown 1m00s · nothing needs a person · 1 waiting · failure budget 0/1',
    );
  });

  it('names the servers that need a person', () => {
    const journal = rollbackWave();
    journal.add({
      kind: 'outcome',
      wave: 1,
      server: 'db-c1',
      outcome: 'NeedsPerson',
      reason: 'unclean shutdown',
    });
    expect(statusUpdateText(reportOf(journal))).toContain('NEEDS A PERSON: db-c1 (unclean shutdown)');
  });
});
