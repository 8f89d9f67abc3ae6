import {
  type RecordedSampling,
  recordSampling,
  type SamplingContext,
} from '../stats/sampling/record-sampling.js';
import type { AnalysisPorts } from './analysis-ports.js';

/**
 * Samples the server's baseline before its window, beside its first campaign `stats.controls`
 * controls, and journals it: what its later samplings are compared with.
 */
export async function sampleBaseline(
  context: SamplingContext,
  ports: Pick<AnalysisPorts, 'record' | 'sql' | 'controlsFor'>,
): Promise<RecordedSampling> {
  const controls = (await ports.controlsFor(context.server)).slice(0, context.campaign.stats.controls);
  return recordSampling(context, ports, 'baseline', controls);
}
