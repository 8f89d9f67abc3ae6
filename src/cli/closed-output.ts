/** The errors a write gets once its reader has gone: the pipe's, then the stream's own. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * A reader may stop early (`dbwave show PLAN | head -2`) and close the pipe: the rest of the
 * output has nowhere to go, which is no failure of dbwave's. Without a listener node throws that
 * EPIPE out of the event loop, a stack trace and exit 1 whatever the command found. With it the
 * output stops and the command ends with its own exit status, as a script's `PIPESTATUS` expects.
 */
export function tolerateClosedOutput(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== undefined && READER_GONE.has(error.code)) return;
    throw error;
  });
}
