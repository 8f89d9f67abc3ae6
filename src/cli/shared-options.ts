import { resolve } from 'node:path';
import type { Options, PositionalOptions } from 'yargs';
import { writeFileAtomically } from '../core/write-file-atomically.js';

/** The options most commands share, spelled once so `--help` says the same thing everywhere. */

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

interface OutputTarget {
  readonly cwd: string;
  readonly streams: {
    readonly stdout: { write(text: string): unknown };
    readonly stderr: { write(text: string): unknown };
  };
}

/**
 * Prints `text` on stdout, or with `--out` writes it whole (temporary file, then rename) and says
 * where on stderr, so that stdout stays clean for pipes.
 */
export async function writeOutput(
  text: string,
  out: string | undefined,
  what: string,
  target: OutputTarget,
): Promise<void> {
  if (out === undefined) {
    target.streams.stdout.write(text);
    return;
  }
  await writeFileAtomically(resolve(target.cwd, out), text);
  target.streams.stderr.write(`dbwave: wrote ${what} to ${out}\n`);
}
