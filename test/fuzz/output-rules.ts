import type { CommandOutcome } from './in-process-commands.js';

/** A line of a JavaScript stack trace. */
const STACK_FRAME = /^ {4}at /m;

/** A warning Node prints for a library (`(node:1234) Warning: ...`): not dbwave's to show. */
const NODE_WARNING = /^\(node:\d+\) /m;
/**
 * The offset of the first C0 control character or DEL other than newline and tab: they move a
 * terminal's cursor, or worse.
 */
function rawControlAt(text: string): number | undefined {
  for (let offset = 0; offset < text.length; offset++) {
    const code = text.charCodeAt(offset);
    if ((code < 0x20 && code !== 0x0a && code !== 0x09) || code === 0x7f) return offset;
  }
  return undefined;
}

/**
 * What any run of a read command must look like, whatever its input: an exit status of 0, 1 or 2,
 * no stack trace, no "internal error", no Node warning, no raw control character. Returns the
 * broken rules, each with the output line that breaks it (control characters shown escaped).
 */
export function brokenOutputRules(outcome: CommandOutcome): string[] {
  const broken: string[] = [];
  if (![0, 1, 2].includes(outcome.status)) broken.push(`exit status ${outcome.status}, not 0, 1 or 2`);
  for (const [stream, text] of [
    ['stdout', outcome.stdout],
    ['stderr', outcome.stderr],
  ] as const) {
    const frame = STACK_FRAME.exec(text);
    if (frame !== null) broken.push(`a stack trace on ${stream}: ${lineAround(text, frame.index)}`);
    const internal = /internal error/i.exec(text);
    if (internal !== null) broken.push(`"internal error" on ${stream}: ${lineAround(text, internal.index)}`);
    const warning = NODE_WARNING.exec(text);
    if (warning !== null) broken.push(`a Node warning on ${stream}: ${lineAround(text, warning.index)}`);
    const control = rawControlAt(text);
    if (control !== undefined)
      broken.push(`a raw control character on ${stream}: ${lineAround(text, control)}`);
  }
  return broken;
}

/** The line of `text` holding `offset`, with control characters escaped so a log can show it. */
function lineAround(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end === -1 ? undefined : end);
  return JSON.stringify(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}
