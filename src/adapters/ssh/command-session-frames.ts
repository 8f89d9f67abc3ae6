/**
 * What a persistent command session (ssh-command-session.ts) prints on its stdout, read back
 * into frames. Every frame starts with a header line that begins with the record separator
 * (0x1e), which nothing else on that stream prints: a command's own output goes to files on the
 * host and comes back only inside a `result` frame, length-prefixed, so the output of a command
 * can never be mistaken for a header whatever bytes it holds.
 *
 * - `\x1eS ready`: the session is set up and reads commands;
 * - `\x1eP <id> <pgid>`: command `id` started as process group `pgid` (what a timeout ends);
 * - `\x1eR <id> <exit> <stdoutBytes> <stderrBytes>`, then exactly that many bytes of stdout and
 *   of stderr: command `id` exited.
 */
export type SessionFrame =
  | { readonly kind: 'ready' }
  | { readonly kind: 'started'; readonly id: number; readonly pgid: number }
  | {
      readonly kind: 'result';
      readonly id: number;
      readonly exitCode: number;
      readonly stdout: Buffer;
      readonly stderr: Buffer;
    };

const SEPARATOR = 0x1e;
const NEWLINE = 0x0a;
/** A header is a few numbers: anything longer is not a header, and the stream is not ours. */
const MAX_HEADER_BYTES = 128;

/** The session's stream broke its own framing: it cannot be trusted for another command. */
export class SessionFramingError extends Error {
  override readonly name = 'SessionFramingError';
}

/**
 * Reads the session's stdout chunk by chunk and hands back every complete frame. Throws
 * {@link SessionFramingError} on bytes that are not a frame.
 */
export class SessionFrameReader {
  private held: Buffer = Buffer.alloc(0);
  private body: { id: number; exitCode: number; stdoutBytes: number; stderrBytes: number } | undefined;

  push(chunk: Buffer): SessionFrame[] {
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const frames: SessionFrame[] = [];
    for (;;) {
      const frame = this.next();
      if (frame === undefined) return frames;
      frames.push(frame);
    }
  }

  private next(): SessionFrame | undefined {
    if (this.body !== undefined) {
      const { id, exitCode, stdoutBytes, stderrBytes } = this.body;
      if (this.held.length < stdoutBytes + stderrBytes) return undefined;
      const stdout = this.held.subarray(0, stdoutBytes);
      const stderr = this.held.subarray(stdoutBytes, stdoutBytes + stderrBytes);
      this.held = this.held.subarray(stdoutBytes + stderrBytes);
      this.body = undefined;
      return { kind: 'result', id, exitCode, stdout, stderr };
    }
    if (this.held.length === 0) return undefined;
    if (this.held[0] !== SEPARATOR) throw new SessionFramingError('session output outside a frame');
    const newline = this.held.indexOf(NEWLINE);
    if (newline < 0) {
      if (this.held.length > MAX_HEADER_BYTES) throw new SessionFramingError('session header too long');
      return undefined;
    }
    const header = this.held.subarray(1, newline).toString('latin1').trim().split(/\s+/);
    this.held = this.held.subarray(newline + 1);
    const [kind, ...fields] = header;
    const numbers = fields.map(Number);
    const whole = numbers.every((value) => Number.isInteger(value) && value >= 0);
    if (kind === 'S' && fields[0] === 'ready') return { kind: 'ready' };
    if (kind === 'P' && numbers.length === 2 && whole) {
      return { kind: 'started', id: numbers[0] as number, pgid: numbers[1] as number };
    }
    if (kind === 'R' && numbers.length === 4 && whole) {
      const [id, exitCode, stdoutBytes, stderrBytes] = numbers as [number, number, number, number];
      this.body = { id, exitCode, stdoutBytes, stderrBytes };
      return this.next();
    }
    throw new SessionFramingError(`unknown session header ${JSON.stringify(header.join(' '))}`);
  }
}
