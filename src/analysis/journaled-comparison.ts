import type { StatsRecord } from '../engine/journal/journal-record.js';
import { campaignFields } from '../model/campaign-schema.js';
import type { ComparisonSettings } from '../stats/compare/comparison-settings.js';
import { controlSeries } from './baseline-selection.js';
import { pairControls } from './control-pairing.js';
import { journaledBaseline } from './history-baseline.js';
import { compareInnodb, type InnodbComparison } from './innodb-comparison.js';

/** A server's journaled samplings to compare: what the report and the live metrics hold. */
export interface JournaledSamplings {
  readonly baseline: StatsRecord;
  /** The `after` sampling, or a later `recheck`. */
  readonly after: StatsRecord;
  /** Control samplings journaled for this server (`phase: control`, `controlFor`), in journal order. */
  readonly controls: readonly StatsRecord[];
  /** The history baseline journaled with the later sampling (historyBeside); absent: the sampled minute. */
  readonly history?: StatsRecord | undefined;
}

/** The campaign's `stats` defaults: how a report or the metrics compare without the campaign at hand. */
const CAMPAIGN_STATS_DEFAULTS: ComparisonSettings = campaignFields.shape.stats.parse(undefined);

/**
 * Compares a server's journaled later sampling with its baseline (the history journaled with
 * it, if any, else the sampled minute), each control's sampling beside
 * the baseline paired with its sampling beside the later one (see controlSeries). Pure.
 */
export function compareJournaled(
  samplings: JournaledSamplings,
  settings: ComparisonSettings = CAMPAIGN_STATS_DEFAULTS,
): InnodbComparison {
  const { baseline, after, controls } = samplings;
  const server = after.server;
  const laterPhase = after.phase === 'recheck' ? 'recheck' : 'after';
  const chosen = journaledBaseline(baseline, samplings.history);
  const comparison = compareInnodb(
    {
      baseline: chosen.series,
      swing: chosen.swing,
      after: after.series,
      controls: pairControls(
        controlSeries(controls, server, 'baseline'),
        controlSeries(controls, server, laterPhase),
      ),
    },
    settings,
  );
  return { ...comparison, baseline: chosen.source };
}
