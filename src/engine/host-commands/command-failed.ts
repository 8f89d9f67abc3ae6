import { DbwaveError, ErrorCode } from '../../core/errors.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { CommandResult } from '../ports/remote-shell.js';

/** A command's non-zero exit as an error whose message ends with the last line it printed. */
export function commandFailed(server: ResolvedServer, label: string, result: CommandResult): DbwaveError {
  const lastLine =
    `${result.stderr}\n${result.stdout}`
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .at(0) ?? '';
  const status = result.exitCode === null ? 'no exit status' : `exit ${result.exitCode}`;
  return new DbwaveError(
    ErrorCode.StepFailed,
    `${server.name}: ${label} failed (${status})${lastLine === '' ? '' : `: ${lastLine.slice(0, 300)}`}`,
  );
}
