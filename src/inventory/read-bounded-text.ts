import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { InputIssue } from '../core/errors.js';
import { INPUT_LIMITS } from './input-limits.js';

/** The text of an input, or the one issue that kept it from being read. */
export type BoundedText = { readonly text: string } | { readonly issue: InputIssue };

/**
 * Reads one input file as text within {@link INPUT_LIMITS}: only a regular file of at most
 * `fileBytes` (a FIFO would block forever and a device such as `/dev/zero` would never end, so
 * both are refused before a byte is read), and no line longer than `lineLength`.
 */
export async function readBoundedText(path: string, shownAs: string): Promise<BoundedText> {
  const read = await readBoundedRegularFile(path);
  if (typeof read !== 'string') return { issue: { file: shownAs, key: '', message: read.problem } };
  return boundedLines(read, shownAs);
}

/**
 * Reads a stream (standard input) to its end as text, refusing it as soon as it passes
 * {@link INPUT_LIMITS.fileBytes}, and checks its lines as {@link readBoundedText} does.
 */
export async function readBoundedStream(
  stream: AsyncIterable<Buffer | string>,
  shownAs: string,
): Promise<BoundedText> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    length += buffer.length;
    if (length > INPUT_LIMITS.fileBytes)
      return { issue: { file: shownAs, key: '', message: tooLarge(length) } };
    chunks.push(buffer);
  }
  return boundedLines(Buffer.concat(chunks).toString('utf8'), shownAs);
}

function boundedLines(text: string, shownAs: string): BoundedText {
  const longLine = firstOverlongLine(text);
  if (longLine === undefined) return { text };
  return {
    issue: {
      file: shownAs,
      key: '',
      line: longLine.line,
      message: `the line is ${longLine.length.toLocaleString('en-US')} characters long, more than the ${INPUT_LIMITS.lineLength.toLocaleString('en-US')} dbwave reads`,
    },
  };
}

async function readBoundedRegularFile(path: string): Promise<string | { problem: string }> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { problem: `cannot read the file: ${reasonOf(error)}` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: `cannot read the file: it is ${kindOf(info)}, not a regular file` };
    if (info.size > INPUT_LIMITS.fileBytes) return { problem: tooLarge(info.size) };
    // Read at most one byte past the limit: a file that grew after the stat is still bounded.
    const buffer = Buffer.alloc(Math.min(info.size, INPUT_LIMITS.fileBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > INPUT_LIMITS.fileBytes) return { problem: tooLarge(length) };
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    return { problem: `cannot read the file: ${reasonOf(error)}` };
  } finally {
    await handle.close();
  }
}

/** The first line longer than {@link INPUT_LIMITS.lineLength}, found without splitting the text. */
function firstOverlongLine(text: string): { line: number; length: number } | undefined {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > INPUT_LIMITS.lineLength) return { line, length: stop - start };
    if (end < 0) return undefined;
    start = end + 1;
  }
  return undefined;
}

function tooLarge(bytes: number): string {
  const mib = (value: number): string => `${(value / 1024 / 1024).toFixed(value < 1024 * 1024 ? 2 : 0)} MiB`;
  return `the file is larger than ${mib(INPUT_LIMITS.fileBytes)} (${mib(bytes)} or more): not a file dbwave reads`;
}

function kindOf(info: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isDirectory(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'a symbolic link loop';
  if (code === 'EISDIR') return 'it is a folder, not a regular file';
  return error instanceof Error ? error.message : String(error);
}
