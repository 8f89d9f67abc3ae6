import { describe, expect, it } from 'vitest';
import { recheckWave } from '../../../src/analysis/recheck-wave.js';
import type { JournalEntry, JournalRecord } from '../../../src/engine/journal/journal-record.js';
import type { MetricHistory } from '../../../src/engine/ports/metric-history.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { fakeMariadb } from '../stats/fake-mariadb.js';
import { recheckCampaign, recheckServer, upgradedWithBaseline } from '../stats/recheck-fixture.js';

const baseline = campaignFields.shape.baseline.parse({ prometheus: 'http://user:secret@prom:9090', days: 7 });
const campaign = { ...recheckCampaign, baseline };

let seq = 0;
function record(fields: JournalEntry): JournalRecord {
  seq += 1;
  return { v: 1, seq, at: '2026-11-24T10:00:00.000Z', campaign: 'test', ...fields } as JournalRecord;
}

const journal: JournalRecord[] = upgradedWithBaseline.map(record);

/** A fake history: what it was asked, and the series it answers for each window. */
function fakeHistory(answer: (daysAgo: number) => Record<string, number[]>): MetricHistory & {
  readonly spans: { startMs: number; endMs: number }[];
} {
  const spans: { startMs: number; endMs: number }[] = [];
  return {
    source: 'http://***@prom:9090',
    spans,
    async series(_server, span) {
      spans.push({ startMs: span.startMs, endMs: span.endMs });
      return answer(
        Math.round((Date.parse('2026-11-24T14:00:00Z') - (span.startMs + span.endMs) / 2) / 86_400_000),
      );
    },
  };
}

async function recheck(history: MetricHistory) {
  // Four hours after the baseline: a soak point's time of day.
  const clock = new FakeClock(Date.parse('2026-11-24T14:00:00Z'));
  const appended: JournalEntry[] = [];
  const [result] = await recheckWave({
    campaign,
    wave: 1,
    servers: [recheckServer('db-01')],
    fleet: [recheckServer('db-01')],
    history: journal,
    journal: {
      append: async (entry) => {
        appended.push(entry);
        return record(entry);
      },
    },
    sql: async () => fakeMariadb(clock),
    metricHistory: history,
    clock,
    signal: new AbortController().signal,
  });
  if (result === undefined || !('gate' in result))
    throw new Error(`no comparison: ${JSON.stringify(result)}`);
  return { result, appended };
}

describe("a recheck with campaign baseline.prometheus (compare, the canary bake and the soak's comparison)", () => {
  it('asks the history for the same hour on each of the 7 days before the window and compares with it', async () => {
    const history = fakeHistory((daysAgo) => ({ data_fsyncs: [10 + daysAgo, 12 + daysAgo] }));
    const { result, appended } = await recheck(history);
    expect(history.spans).toHaveLength(7);
    for (const span of history.spans) {
      expect(new Date((span.startMs + span.endMs) / 2).getUTCHours()).toBe(14);
      expect(span.endMs).toBeLessThanOrEqual(Date.parse('2026-11-24T10:00:00Z'));
    }
    const journaled = appended.at(-1);
    expect(journaled).toMatchObject({
      kind: 'stats',
      phase: 'history',
      history: { for: 'recheck', source: 'http://***@prom:9090', days: 7, daysWithData: 7 },
    });
    expect(JSON.stringify(appended)).not.toContain('secret');
    expect(result.comparison.baseline).toBe(
      'Prometheus http://***@prom:9090, 7 day(s) at this hour, 7 of 7 day(s) at this hour with data',
    );
    expect(result.gate.evidence).toMatch(/; baseline Prometheus http:\/\/\*\*\*@prom:9090, /);
    const fsyncs = result.comparison.metrics.find((metric) => metric.name === 'data_fsyncs');
    expect(fsyncs?.before).toBe(15);
    expect(fsyncs?.reason).toContain('daily swing');
  });

  it('falls back to the sampled minute, journaled with the reason, when the history cannot be asked', async () => {
    const { result, appended } = await recheck({
      source: 'http://***@prom:9090',
      series: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    expect(appended.at(-1)).toMatchObject({
      phase: 'history',
      series: {},
      history: { fellBack: 'unreachable: connect ECONNREFUSED' },
    });
    expect(result.gate.evidence).toMatch(
      /; baseline sampled 1 min before the window \(Prometheus .*unreachable/,
    );
  });

  it('falls back, saying so, when fewer than minDays days have data at this hour', async () => {
    const { result, appended } = await recheck(
      fakeHistory((daysAgo): Record<string, number[]> => (daysAgo === 3 ? { data_fsyncs: [9] } : {})),
    );
    expect(appended.at(-1)).toMatchObject({ history: { daysWithData: 0 } });
    expect(result.gate.evidence).toContain('too little history: fewer than 2 of 7 day(s)');
  });
});
