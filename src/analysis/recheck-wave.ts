import pLimit from 'p-limit';
import type { JournalEntry, JournalRecord, StatsRecord } from '../engine/journal/journal-record.js';
import { replayJournal } from '../engine/journal/journal-replay.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import type { MetricHistory } from '../engine/ports/metric-history.js';
import type { SqlSession } from '../engine/ports/sql-session.js';
import { type GateVerdict, worstVerdict } from '../gates/gate-verdict.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { recordSampling } from '../stats/sampling/record-sampling.js';
import { journaledBaselines } from './baseline-selection.js';
import { comparisonBaseline } from './comparison-baseline.js';
import { fitAsControl, journalOutcome } from './control-servers.js';
import { compareFreshSampling } from './fresh-sampling-comparison.js';
import type { InnodbComparison } from './innodb-comparison.js';
import { innodbGate } from './innodb-gate.js';

export interface RecheckOptions {
  readonly campaign: Campaign;
  readonly wave: number;
  /** The wave's servers, resolved, in plan order. */
  readonly servers: readonly ResolvedServer[];
  /** Every server of the fleet: controls may come from later waves. */
  readonly fleet: readonly ResolvedServer[];
  /** The journal as read before the recheck. */
  readonly history: readonly JournalRecord[];
  /** Where the `recheck` and control records go (the caller holds the campaign lock). */
  readonly journal: Pick<JournalStore, 'append'>;
  readonly sql: (server: ResolvedServer) => Promise<SqlSession>;
  /** The servers' history (campaign `baseline.prometheus`); undefined: the sampled minute is the baseline. */
  readonly metricHistory?: MetricHistory | undefined;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Only this server of the wave. */
  readonly only?: string;
  /** Servers sampled at once (default 8): a sampling is a few light queries per interval. */
  readonly concurrency?: number;
}

export type RecheckResult =
  | {
      readonly server: string;
      readonly skipped: string;
      /** Why, as data: a server not upgraded has nothing to compare; one without a baseline cannot be. */
      readonly because: 'not-upgraded' | 'no-baseline';
    }
  | { readonly server: string; readonly comparison: InnodbComparison; readonly gate: GateVerdict }
  | { readonly server: string; readonly error: string };

/**
 * `dbwave compare`: samples every upgraded server of a wave again now (a freshly upgraded
 * server calibrates for a while, so hours later says more than the first minutes), journals a
 * `recheck` StatsRecord beside its `baseline` and `after` ones, and compares it with the
 * baseline and with the same controls as then, if they are still on the old version.
 */
export async function recheckWave(options: RecheckOptions): Promise<RecheckResult[]> {
  const replay = replayJournal(options.history);
  const stats = options.history.filter((record): record is StatsRecord => record.kind === 'stats');
  const byName = new Map(options.fleet.map((server) => [server.name, server]));
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const targets = options.servers.filter(
    (server) => options.only === undefined || server.name === options.only,
  );

  return Promise.all(
    targets.map((server) =>
      limit(async (): Promise<RecheckResult> => {
        const outcome = journalOutcome(replay, server.name);
        if (outcome !== 'Upgraded')
          return { server: server.name, skipped: `not upgraded (${outcome})`, because: 'not-upgraded' };
        const baselines = journaledBaselines(stats, server.name);
        const baseline = baselines.server;
        if (baseline === undefined)
          return {
            server: server.name,
            skipped: 'no baseline sampling in the journal',
            because: 'no-baseline',
          };
        const controls = [...baselines.controls.keys()]
          .filter((name) => fitAsControl(replay, name))
          .map((name) => byName.get(name))
          .filter((control) => control !== undefined);
        let session: SqlSession | undefined;
        try {
          session = await options.sql(server);
          const opened = session;
          const at = options.clock.now();
          const record = (entry: JournalEntry) => options.journal.append(entry);
          const sampled = await recordSampling(
            {
              server,
              campaign: options.campaign,
              wave: options.wave,
              clock: options.clock,
              signal: options.signal,
              sql: async () => opened,
            },
            { record, sql: options.sql },
            'recheck',
            controls,
          );
          const chosen = await comparisonBaseline({
            campaign: options.campaign,
            server,
            wave: options.wave,
            sampled: baseline,
            laterPhase: 'recheck',
            at,
            history: options.metricHistory,
            record,
            signal: options.signal,
          });
          const comparison = {
            ...compareFreshSampling(chosen, baselines.controls, sampled, options.campaign.stats),
            baseline: chosen.source,
          };
          return { server: server.name, comparison, gate: innodbGate(comparison) };
        } catch (error) {
          return { server: server.name, error: error instanceof Error ? error.message : String(error) };
        } finally {
          await session?.close().catch(() => undefined);
        }
      }),
    ),
  );
}

/** pass when every rechecked server passes; skipped servers do not count, errors do. */
export function recheckVerdict(results: readonly RecheckResult[]): GateVerdict['verdict'] {
  return worstVerdict(
    results.flatMap((result) =>
      'gate' in result ? [result.gate.verdict] : 'error' in result ? ['fail' as const] : [],
    ),
  );
}
