/**
 * Text from a file a person wrote, made safe to print on a terminal: control characters (ESC
 * would start a terminal escape sequence, BEL rings, CR overwrites the line, ...) and the
 * Unicode bidirectional overrides (which reorder what a reader sees) are shown as escapes such
 * as `\x1b` or `\u202e`. Newlines and tabs stay. Idempotent: its output holds none of them.
 */
export function printable(text: string): string {
  let out = '';
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!unprintable(code)) continue;
    out += text.slice(start, index) + escapeOf(code);
    start = index + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

function unprintable(code: number): boolean {
  if (code === 0x0a || code === 0x09) return false;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function escapeOf(code: number): string {
  const hex = code.toString(16).padStart(2, '0');
  return code <= 0xff ? `\\x${hex}` : `\\u${hex.padStart(4, '0')}`;
}

/** A stream whose every write goes through {@link printable}: what the CLI hands its commands. */
export function printableStream(stream: { write(text: string): unknown }): { write(text: string): unknown } {
  return { write: (text: string) => stream.write(printable(text)) };
}
