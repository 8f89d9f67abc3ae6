import type { JournalRecord, SoakRecord, SoakVerdictRecord } from '../engine/journal/journal-record.js';
import type { LockIdentity } from '../engine/lock/lock-owner.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import type { SoakPointStatus } from '../engine/wave/soak-schedule.js';
import { worstVerdict } from '../gates/gate-verdict.js';
import { type RecheckOptions, type RecheckResult, recheckWave } from './recheck-wave.js';

/** What taking one soak point needs: what `dbwave compare` needs, and the point. */
export interface SoakPointOptions extends Omit<RecheckOptions, 'journal' | 'only'> {
  readonly journal: Pick<JournalStore, 'append'>;
  readonly point: SoakPointStatus;
  /** Who takes it, as the journal keeps it. */
  readonly operator: Pick<LockIdentity, 'user' | 'host' | 'pid'>;
}

/**
 * Takes one soak point of a wave: journals `started` (write-ahead), compares each upgraded server
 * again with its baseline and its same-class controls still on the old version (the comparison
 * of `dbwave compare`, recheck-wave.ts, so that a baseline source swapped there is the soak's
 * too), journals each server's verdict, then `finished` with the worst. A server that cannot be
 * sampled fails: hours after its upgrade it should answer. Interrupted (the signal aborts), it
 * journals no verdict and no `finished`: the point stays interrupted and is taken again.
 */
export async function takeSoakPoint(options: SoakPointOptions): Promise<SoakVerdictRecord[] | undefined> {
  const { journal, point, wave } = options;
  const lateMs = Math.max(0, options.clock.now() - Date.parse(point.dueAt));
  const stamp = { kind: 'soak', wave, pointMs: point.pointMs, dueAt: point.dueAt, lateMs } as const;
  await journal.append({ ...stamp, event: 'started', operator: pickOperator(options.operator) });
  const results = await recheckWave(options);
  if (options.signal.aborted) return undefined;
  const verdicts: SoakVerdictRecord[] = [];
  for (const result of results) {
    const verdict = soakVerdictOf(result);
    if (verdict === undefined) continue;
    const record = await journal.append({
      kind: 'soak-verdict',
      wave,
      server: result.server,
      pointMs: point.pointMs,
      ...verdict,
    });
    if (isSoakVerdict(record)) verdicts.push(record);
  }
  await journal.append({
    ...stamp,
    event: 'finished',
    operator: pickOperator(options.operator),
    verdict: worstVerdict(verdicts.map((record) => record.verdict)),
  });
  return verdicts;
}

/** Journals a point nothing took within the tolerance: reported as missed, never skipped silently. */
export async function recordMissedSoakPoint(
  journal: Pick<JournalStore, 'append'>,
  wave: number,
  point: SoakPointStatus,
  operator: Pick<LockIdentity, 'user' | 'host' | 'pid'>,
  now: number,
): Promise<SoakRecord> {
  const record = await journal.append({
    kind: 'soak',
    event: 'missed',
    wave,
    pointMs: point.pointMs,
    dueAt: point.dueAt,
    lateMs: Math.max(0, now - Date.parse(point.dueAt)),
    operator: pickOperator(operator),
  });
  if (record.kind !== 'soak') throw new TypeError('the journal wrote another kind of record');
  return record;
}

/** A server's soak verdict from its recheck; undefined for a server not upgraded (nothing to soak). */
export function soakVerdictOf(
  result: RecheckResult,
): Pick<SoakVerdictRecord, 'verdict' | 'evidence'> | undefined {
  if ('gate' in result) return { verdict: result.gate.verdict, evidence: result.gate.evidence };
  if ('error' in result) return { verdict: 'fail', evidence: `could not sample: ${result.error}` };
  if (result.because === 'no-baseline') return { verdict: 'inconclusive', evidence: result.skipped };
  return undefined;
}

function isSoakVerdict(record: JournalRecord): record is SoakVerdictRecord {
  return record.kind === 'soak-verdict';
}

function pickOperator(operator: Pick<LockIdentity, 'user' | 'host' | 'pid'>): SoakRecord['operator'] {
  return { user: operator.user, host: operator.host, pid: operator.pid };
}
