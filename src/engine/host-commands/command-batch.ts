import type { CommandResult } from '../ports/remote-shell.js';

/**
 * Several host commands of one step as ONE shell script, so that the step costs one round trip
 * to the host (inside the 503 window each extra round trip is time users see), while every
 * command keeps what it would have had on its own: its own subshell, stdin from /dev/null, its
 * own stdout, stderr and exit status, and the step still decides on each answer.
 *
 * The script runs the commands in order; a command marked `after: 'success'` (`'failure'`) runs
 * only when the one before it exited 0 (non-zero), and the batch ends at the first that does not
 * run, so a step's guard (`running` before a package switch) still stands before its side effect.
 * Each command that ran is answered by a header line `\x1e<nonce> <index> <exit> <t0> <t1>`
 * (t0/t1: bash's $EPOCHREALTIME around it, `-` in other shells), its stdout, a `\n\x1e<nonce>`
 * line, its stderr and another; the script ends with `\x1e<nonce> end`. The nonce is random per
 * batch, so no output a command prints can pass for a header. A batch whose output does not end
 * with `end` (the session was lost, the output was cut) is no answer at all.
 */

export interface BatchEntry {
  /** What the command's output is kept as in the state dir (a template's name, or the engine's read). */
  readonly label: string;
  /** The command line, already rendered and quoted. */
  readonly line: string;
  /** Runs only when the command before it exited 0 (`success`) or non-zero (`failure`); always when unset. */
  readonly after?: 'success' | 'failure';
  /**
   * How long the command may take on its own (commands.timeout when unset; a blocking `stop` has
   * the shutdown's hard limit): the batch is cut after the sum of its commands'.
   */
  readonly timeoutMs?: number;
}

/** Each entry's result, in order; undefined for an entry that did not run. */
export type BatchResults = readonly (CommandResult | undefined)[];

const SEPARATOR = '\x1e';

/**
 * The batch as one script. `outputBytes` bounds what each command prints into the batch's answer
 * (its tail is kept, as a command's own output is kept), so that the answer fits the output a
 * command may return and its headers are never cut. An empty output costs no `tail`: on a busy
 * host every process the script starts is time inside the window.
 */
export function batchScript(entries: readonly BatchEntry[], nonce: string, outputBytes: number): string {
  if (!/^[0-9a-f]{8,}$/.test(nonce)) throw new TypeError('a batch nonce is hex, at least 8 digits');
  const limit = Math.max(1, Math.trunc(outputBytes));
  const lines = [
    `n=${nonce}`,
    `d=$(mktemp -d "\${TMPDIR:-/tmp}/dbwave-batch.XXXXXX") || exit 98`,
    `trap 'rm -rf "$d"' EXIT`,
    `dbwave_answer() { printf '\\036%s %s %s %s %s\\n' "$n" "$1" "$x" "\${s:--}" "\${EPOCHREALTIME:--}"; [ ! -s "$d/o" ] || tail -c ${limit} "$d/o"; printf '\\n\\036%s\\n' "$n"; [ ! -s "$d/e" ] || tail -c ${limit} "$d/e"; printf '\\n\\036%s\\n' "$n"; }`,
    `dbwave_end() { printf '\\036%s end\\n' "$n"; exit 0; }`,
  ];
  entries.forEach((entry, index) => {
    if (index > 0 && entry.after === 'success') lines.push('[ "$x" -eq 0 ] || dbwave_end');
    if (index > 0 && entry.after === 'failure') lines.push('[ "$x" -ne 0 ] || dbwave_end');
    // The line on lines of its own: a template ending in a comment cannot swallow the `)`.
    lines.push(`s=\${EPOCHREALTIME:-}; (\n${entry.line}\n) </dev/null >"$d/o" 2>"$d/e"; x=$?`);
    lines.push(`dbwave_answer ${index}`);
  });
  lines.push('dbwave_end');
  return lines.join('\n');
}

/**
 * Reads a batch's answer back into each entry's result; undefined when it is not a whole answer
 * of this batch (no `end`, a broken header): the caller cannot tell what ran.
 */
export function parseBatchOutput(
  stdout: string,
  entries: readonly BatchEntry[],
  nonce: string,
): BatchResults | undefined {
  const header = `${SEPARATOR}${nonce} `;
  const fence = `\n${SEPARATOR}${nonce}\n`;
  const results: (CommandResult | undefined)[] = entries.map(() => undefined);
  let at = stdout.indexOf(header);
  if (at === -1) return undefined;
  for (;;) {
    const lineEnd = stdout.indexOf('\n', at);
    if (lineEnd === -1) return undefined;
    const fields = stdout.slice(at + header.length, lineEnd).split(' ');
    if (fields[0] === 'end' && fields.length === 1) return results;
    const [index, exit, started, ended] = fields.map(Number);
    if (fields.length !== 4 || !isIndex(index, entries.length) || !Number.isInteger(exit)) return undefined;
    const stdoutEnd = stdout.indexOf(fence, lineEnd + 1);
    if (stdoutEnd === -1) return undefined;
    const stderrEnd = stdout.indexOf(fence, stdoutEnd + fence.length);
    if (stderrEnd === -1) return undefined;
    results[index] = {
      exitCode: exit as number,
      stdout: stdout.slice(lineEnd + 1, stdoutEnd),
      stderr: stdout.slice(stdoutEnd + fence.length, stderrEnd),
      durationMs:
        Number.isFinite(started) && Number.isFinite(ended)
          ? ((ended as number) - (started as number)) * 1000
          : 0,
    };
    at = stderrEnd + fence.length;
    if (!stdout.startsWith(header, at)) return undefined;
  }
}

function isIndex(value: number | undefined, length: number): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0 && value < length;
}
