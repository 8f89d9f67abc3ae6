import { DbwaveError, ErrorCode } from '../../core/errors.js';
import { soakRollbackAdvice } from './soak-rollback-advice.js';
import { describeRefusal, type WaveOrderRefusal } from './wave-order.js';

/**
 * `run --wave N` refused because the wave before it is not done: says what is wrong and the ways
 * out (finish or mend the earlier wave, or override with a reason). Exit 1: the plan's state,
 * not the command line, is what stops it.
 */
export class WaveOrderError extends DbwaveError {
  readonly wave: number;
  readonly refusals: readonly WaveOrderRefusal[];

  constructor(plan: string, wave: number, refusals: readonly WaveOrderRefusal[]) {
    const previous = refusals[0]?.wave ?? wave - 1;
    super(
      ErrorCode.WaveOrder,
      [
        `wave ${wave} does not start while the wave before it is not done:`,
        ...refusals.map((refusal) => `  - ${describeRefusal(refusal)}`),
        ...refusals.flatMap((refusal) =>
          refusal.kind === 'soak-failed' ? soakRollbackAdvice(plan, refusal.wave, refusal.servers) : [],
        ),
        `Finish wave ${previous} first (dbwave run ${plan} --wave ${previous} resumes it; dbwave status ${plan} --wave ${previous} shows it),`,
        `or run wave ${wave} anyway: dbwave run ${plan} --wave ${wave} --override-order --reason "why" (journaled, shown in its reports)`,
      ].join('\n'),
    );
    this.wave = wave;
    this.refusals = refusals;
  }
}
