import type { Argv, Options, PositionalOptions } from 'yargs';

/**
 * The options most commands share, spelled once so `--help` says the same thing everywhere: a
 * deliberate table of yargs option objects, alike in shape by nature.
 */

export const planPositional = {
  type: 'string',
  demandOption: true,
  describe: 'Plan file (waves/<name>.plan.yaml)',
} as const satisfies PositionalOptions;

export const waveOption = {
  type: 'number',
  demandOption: true,
  describe: 'Wave number (from 1)',
} as const satisfies Options;

export const stateDirOption = {
  type: 'string',
  describe: "The campaign's state dir (default from the campaign)",
} as const satisfies Options;

export const outOption = {
  type: 'string',
  describe: 'Write to this file (atomically) instead of stdout',
} as const satisfies Options;

/** `--yes`, for the commands that ask before they touch a server. */
export const yesOption = {
  type: 'boolean',
  describe: 'Do not ask for confirmation (needed without a terminal)',
} as const satisfies Options;

/** `--ignore-date`, for the commands that refuse a wave outside its days. */
export const ignoreDateOption = {
  type: 'boolean',
  describe: "Run outside the wave's days and daily window",
} as const satisfies Options;

/** The plan, wave and safety options of the commands that change servers (`run`, `rollback`). */
export function serverChangingOptions(yargs: Argv<object>) {
  return yargs
    .positional('plan', planPositional)
    .option('wave', waveOption)
    .option('yes', yesOption)
    .option('ignore-date', ignoreDateOption)
    .option('state-dir', stateDirOption)
    .option('runner', {
      type: 'string',
      describe: "This runner's name in a MySQL state store (state: { store: mysql }; default: the host name)",
    });
}
