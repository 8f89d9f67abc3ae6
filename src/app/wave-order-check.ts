import { UsageError } from '../core/errors.js';
import type { OrderOverride } from '../engine/events/engine-events.js';
import type { JournalRecord } from '../engine/journal/journal-record.js';
import { replayJournal } from '../engine/journal/journal-replay.js';
import { soakRefusals } from '../engine/wave/soak-gate.js';
import { soakSchedule } from '../engine/wave/soak-schedule.js';
import { describeRefusal, waveOrderRefusals } from '../engine/wave/wave-order.js';
import { WaveOrderError } from '../engine/wave/wave-order-error.js';
import type { WaveContext } from './wave-context.js';

/** The flags of `dbwave run` that begin a wave out of order. */
export interface OrderOverrideArguments {
  /** `--override-order`: begin the wave although the wave before it is not done. */
  readonly overrideOrder?: boolean | undefined;
  /** `--reason TEXT`: why; required with --override-order, journaled and shown in the wave's reports. */
  readonly reason?: string | undefined;
}

/** The operator's override as the flags give it, or a usage error (exit 2) when they do not go together. */
export function requestedOverride(args: OrderOverrideArguments): { readonly reason: string } | undefined {
  const reason = args.reason?.trim();
  if (args.overrideOrder !== true) {
    if (args.reason !== undefined) throw new UsageError('--reason goes with --override-order');
    return undefined;
  }
  if (reason === undefined || reason === '')
    throw new UsageError(
      '--override-order needs --reason TEXT: why the wave runs before the one before it is done (it is journaled and shown in the reports)',
    );
  return { reason };
}

/**
 * Whether the wave may begin, from the journal as `records` has it and its soak points at `now`:
 * undefined when nothing
 * stands in its way, the override to journal when the operator overrode what did, and a
 * WaveOrderError (exit 1, the reasons and the ways out) otherwise.
 */
export function checkWaveOrder(
  context: Pick<WaveContext, 'loaded' | 'wave'>,
  plan: string,
  records: readonly JournalRecord[],
  requested: { readonly reason: string } | undefined,
  now: number,
): OrderOverride | undefined {
  const { campaign } = context.loaded.inventory;
  const replay = replayJournal(records);
  const refusals = waveOrderRefusals(context.loaded.plan.waves, context.wave.index, replay, (wave) =>
    soakRefusals(wave, soakSchedule(records, wave, campaign.soak, now), {
      inconclusiveHolds: campaign.gates.inconclusive !== 'continue',
      stillUpgraded: (server) => replay.servers.get(server)?.outcome === 'Upgraded',
    }),
  );
  if (refusals.length === 0) return undefined;
  if (requested === undefined) throw new WaveOrderError(plan, context.wave.index, refusals);
  return { reason: requested.reason, refusals: refusals.map(describeRefusal) };
}
