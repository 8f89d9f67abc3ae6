import { DbwaveError, ErrorCode } from '../../core/errors.js';

/**
 * `run` of a wave whose canary stage has not decided yet, through a state store whose runners
 * share a wave (the MySQL store): its runners claim servers side by side, and no runner would
 * hold the others back while the canaries bake, so the stage would be skipped. Refused (exit 1)
 * before anything is journaled or claimed, with the way out: a canary stage by hand.
 */
export class SharedCanaryStageError extends DbwaveError {
  readonly wave: number;
  readonly canaries: readonly string[];

  constructor(plan: string, wave: number, canaries: readonly string[], bake: string) {
    const only = canaries.map((name) => `--only name=${name}`).join(' ');
    super(
      ErrorCode.SharedCanaryStage,
      [
        `wave ${wave} has a canary stage (${canaries.join(', ')}, bake ${bake}), which a wave run through the MySQL state store does not run:`,
        '  its runners claim servers side by side, and none would hold the others back while the canaries bake. Nothing was started.',
        'To run it, take `canary` out of the campaign, run `dbwave plan` again, and run the stage by hand from one runner:',
        `  dbwave run ${plan} --wave ${wave} ${only}   # the canaries alone`,
        `  dbwave compare ${plan} --wave ${wave}        # after the bake's time: the canaries against their controls`,
        `  dbwave run ${plan} --wave ${wave}            # the rest of the wave, once they pass (every runner may join then)`,
      ].join('\n'),
    );
    this.wave = wave;
    this.canaries = canaries;
  }
}
