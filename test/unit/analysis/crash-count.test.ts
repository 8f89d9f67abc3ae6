import { describe, expect, it } from 'vitest';
import { restartsBetweenSamplings, serverCrashes } from '../../../src/analysis/crash-count.js';
import type { JournalRecord } from '../../../src/engine/journal/journal-record.js';

let seq = 0;
const base = (at: string) => ({ v: 1, seq: ++seq, at, campaign: 'c', wave: 1 });
const sampling = (
  at: string,
  serverStartedAt: string,
  phase: 'baseline' | 'after' | 'recheck',
): JournalRecord => ({
  ...base(at),
  kind: 'stats',
  server: 'db1',
  phase,
  intervalMs: 1000,
  series: {},
  serverStartedAt,
});
const step = (at: string, name: 'precheck' | 'start', detail?: object): JournalRecord =>
  ({
    ...base(at),
    kind: 'step',
    server: 'db1',
    step: name,
    event: 'succeeded',
    ...(detail ? { detail } : {}),
  }) as JournalRecord;

const precheck = step('2026-12-02T10:00:00.000Z', 'precheck', {
  crashHistory: { crashes: 2, logFrom: '2026-11-01T00:00:00.000Z', bytesRead: 5000, wholeLog: true },
});
const baseline = sampling('2026-12-02T10:01:00.000Z', '2026-11-30T08:00:00.000Z', 'baseline');
const upgradeStart = step('2026-12-02T10:03:00.000Z', 'start');
const after = sampling('2026-12-02T10:05:00.000Z', '2026-12-02T10:02:59.000Z', 'after');

describe('serverCrashes', () => {
  it("takes the precheck's error-log history as before, and the upgrade's own restart as planned", () => {
    const records = [precheck, baseline, upgradeStart, after];
    expect(restartsBetweenSamplings(records, 'db1')).toEqual([
      { after: baseline.at, before: after.at, planned: true },
    ]);
    expect(serverCrashes(records, 'db1')).toEqual({
      before: { crashes: 2, from: '2026-11-01T00:00:00.000Z', to: precheck.at, wholeLog: true },
      sinceUpgrade: { unplannedRestarts: 0, from: upgradeStart.at, to: after.at, samplings: 1 },
    });
  });

  it('counts a start between later samplings that dbwave did not do, even when Uptime grew past the earlier one', () => {
    // Hours later: the server crashed at 11:00 and came back, its Uptime now larger than at 10:05.
    const soak = sampling('2026-12-02T14:00:00.000Z', '2026-12-02T11:00:00.000Z', 'recheck');
    const records = [precheck, baseline, upgradeStart, after, soak];
    expect(serverCrashes(records, 'db1').sinceUpgrade).toEqual({
      unplannedRestarts: 1,
      from: upgradeStart.at,
      to: soak.at,
      samplings: 2,
    });
  });

  it('reads the same start a few seconds apart (whole-second Uptime) as no restart', () => {
    const soak = sampling('2026-12-02T14:00:00.000Z', '2026-12-02T10:03:01.000Z', 'recheck');
    expect(
      serverCrashes([precheck, baseline, upgradeStart, after, soak], 'db1').sinceUpgrade?.unplannedRestarts,
    ).toBe(0);
  });

  it('knows nothing since the upgrade of a server not upgraded', () => {
    expect(serverCrashes([precheck, baseline], 'db1').sinceUpgrade).toBeUndefined();
  });
});
