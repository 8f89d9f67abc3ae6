import type { HookContext } from '../engine/ports/engine-hooks.js';
import { waitForWarmup } from '../stats/sampling/buffer-pool-warmup.js';
import { recordSampling } from '../stats/sampling/record-sampling.js';
import type { AnalysisPorts } from './analysis-ports.js';
import { journaledBaselines } from './baseline-selection.js';
import { comparisonBaseline } from './comparison-baseline.js';
import { compareFreshSampling } from './fresh-sampling-comparison.js';
import type { InnodbComparison } from './innodb-comparison.js';

/**
 * The analysis gate's comparison: waits out the buffer pool load and the warm-up, samples the
 * server again beside those of its baseline's controls that are still fit as controls (phase
 * `after`), journals that, and compares. Undefined when the journal holds no baseline of the
 * server: the sampling is journaled all the same.
 */
export async function compareAfterWarmup(
  context: HookContext,
  ports: AnalysisPorts,
): Promise<InnodbComparison | undefined> {
  const { campaign, server } = context;
  const baselines = journaledBaselines(await ports.statsFor(server.name), server.name);
  const controls = (await ports.controlsFor(server)).filter((candidate) =>
    baselines.controls.has(candidate.name),
  );
  const warmup = await waitForWarmup(await context.sql(), {
    clock: context.clock,
    warmupMs: campaign.stats.warmup,
    loadTimeoutMs: campaign.stats.bufferPoolLoadTimeout,
    signal: context.signal,
  });
  const at = context.clock.now();
  const sampled = await recordSampling(context, ports, 'after', controls, warmup);
  if (baselines.server === undefined) return undefined;
  const baseline = await comparisonBaseline({
    campaign,
    server,
    wave: context.wave,
    sampled: baselines.server,
    laterPhase: 'after',
    at,
    history: ports.metricHistory,
    record: ports.record,
    signal: context.signal,
  });
  return {
    ...compareFreshSampling(baseline, baselines.controls, sampled, campaign.stats),
    baseline: baseline.source,
  };
}
