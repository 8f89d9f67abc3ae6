import type { StatsRecord } from '../engine/journal/journal-record.js';
import type { MetricHistory } from '../engine/ports/metric-history.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import type { SamplingPorts } from '../stats/sampling/record-sampling.js';

/** What sampling a server beside its controls needs: the journal, the connectors and the controls. */
export interface AnalysisPorts extends SamplingPorts {
  /**
   * Every journaled StatsRecord about a server: its own (`server`) and its controls'
   * (`controlFor`), this run's and earlier runs', in journal order. After a crash of dbwave the
   * analysis gate finds its baseline here.
   */
  statsFor(server: string): Promise<readonly StatsRecord[]>;
  /**
   * Same-class servers to sample as controls: not yet upgraded, not in flight, reachable by
   * `sql` (see controlCandidates). At most campaign `stats.controls` of them are sampled.
   */
  controlsFor(server: ResolvedServer): Promise<readonly ResolvedServer[]>;
  /** The servers' history (campaign `baseline.prometheus`); undefined: the sampled minute is the baseline. */
  readonly metricHistory?: MetricHistory | undefined;
}
