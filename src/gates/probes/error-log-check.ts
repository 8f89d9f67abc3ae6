import { type ErrorLogExcerpt, errorLogGate } from '../error-log-gate.js';
import type { GateVerdict } from '../gate-verdict.js';
import { readErrorLogSince } from './error-log-probe.js';
import type { GateRunContext } from './gate-run-context.js';

/** Reads the log since this start and judges it: shared by the readiness and analysis runners. */
export async function checkErrorLog(context: GateRunContext): Promise<GateVerdict> {
  const rules = {
    patterns: context.gates.errorLogPatterns,
    ignore: context.gates.errorLogIgnore,
    expectedStart: { version: context.expectedVersion, whenSilent: context.gates.silentErrorLog },
  };
  return errorLogGate(await excerptSinceStart(context), rules);
}

async function excerptSinceStart(context: GateRunContext): Promise<ErrorLogExcerpt> {
  const file = context.errorLogFile;
  if (file === undefined) {
    return {
      readable: false,
      error: 'the server logs to stderr or syslog and the inventory names no errorLog',
    };
  }
  // Reading from 0 instead would judge this start by lines older than it.
  if (context.errorLogOffset === undefined) {
    return { readable: false, file, error: 'its size before this start is unknown' };
  }
  return readErrorLogSince(
    context.shell,
    file,
    context.errorLogOffset,
    context.signal === undefined ? {} : { signal: context.signal },
  );
}
