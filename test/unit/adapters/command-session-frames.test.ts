import { describe, expect, it } from 'vitest';
import {
  type SessionFrame,
  SessionFrameReader,
  SessionFramingError,
} from '../../../src/adapters/ssh/command-session-frames.js';

const RS = '\u001e';

function readAll(reader: SessionFrameReader, chunks: readonly (string | Buffer)[]): SessionFrame[] {
  return chunks.flatMap((chunk) => reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8')));
}

describe('the command session frame reader', () => {
  it('reads ready, started and a result with its stdout and stderr apart', () => {
    const frames = readAll(new SessionFrameReader(), [
      `${RS}S ready\n${RS}P 1 4242\n${RS}R 1 3 6 4\nhello\noops`,
    ]);
    expect(frames).toEqual([
      { kind: 'ready' },
      { kind: 'started', id: 1, pgid: 4242 },
      { kind: 'result', id: 1, exitCode: 3, stdout: Buffer.from('hello\n'), stderr: Buffer.from('oops') },
    ]);
  });

  it('waits for a result body split across chunks, byte by byte', () => {
    const text = `${RS}R 7 0 11 0\nline 1\nline`;
    const reader = new SessionFrameReader();
    const frames = readAll(
      reader,
      [...Buffer.from(text)].map((byte) => Buffer.from([byte])),
    );
    expect(frames).toEqual([
      { kind: 'result', id: 7, exitCode: 0, stdout: Buffer.from('line 1\nline'), stderr: Buffer.alloc(0) },
    ]);
  });

  it('takes a command output that holds header-like bytes as output, by its length', () => {
    const output = `${RS}R 9 0 0 0\n${RS}S ready\n`;
    const frames = readAll(new SessionFrameReader(), [
      `${RS}R 2 0 ${Buffer.byteLength(output)} 0\n${output}${RS}P 3 10\n`,
    ]);
    expect(frames).toEqual([
      { kind: 'result', id: 2, exitCode: 0, stdout: Buffer.from(output), stderr: Buffer.alloc(0) },
      { kind: 'started', id: 3, pgid: 10 },
    ]);
  });

  it('refuses bytes outside a frame and headers it does not know', () => {
    expect(() => new SessionFrameReader().push(Buffer.from('stray output\n'))).toThrow(SessionFramingError);
    expect(() => new SessionFrameReader().push(Buffer.from(`${RS}R 1 x 0 0\n`))).toThrow(SessionFramingError);
    expect(() => new SessionFrameReader().push(Buffer.from(`${RS}${'9'.repeat(200)}`))).toThrow(
      SessionFramingError,
    );
  });
});
