import { plannedCanaries } from '../planner/canary-selection.js';
import type { WaveContext } from './wave-context.js';

/** The canaries of a plan's wave (its first, with the campaign's `canary`); undefined for any other. */
export function waveCanaries(context: Pick<WaveContext, 'loaded' | 'wave'>): readonly string[] | undefined {
  const { plan, inventory } = context.loaded;
  const canaries = plannedCanaries(plan, inventory.campaign.canary, inventory.classes).get(
    context.wave.index,
  );
  return canaries === undefined || canaries.length === 0 ? undefined : canaries;
}
