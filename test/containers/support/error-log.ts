import { readFile } from 'node:fs/promises';

/**
 * Reading a MariaDB error log by server run: every start writes a "Starting MariaDB" line, so the
 * log splits into one section per run of mariadbd, oldest first.
 */

const RUN_START = /\] Starting MariaDB /;

export function runsOf(log: string): string[] {
  const runs: string[] = [];
  for (const line of log.split('\n')) {
    if (RUN_START.test(line) || runs.length === 0) runs.push('');
    runs[runs.length - 1] += `${line}\n`;
  }
  return runs.filter((run) => RUN_START.test(run));
}

/** The run ended with mariadbd's own "Shutdown complete", not a kill or a crash. */
export function endedWithCleanShutdown(run: string): boolean {
  return /mariadbd: Shutdown complete/.test(run);
}

/** InnoDB had to recover at this start: the run before it did not shut down cleanly. */
export function startedWithCrashRecovery(run: string): boolean {
  return /InnoDB: Starting crash recovery/.test(run);
}

export async function readRuns(errorLogPath: string): Promise<string[]> {
  return runsOf(await readFile(errorLogPath, 'utf8'));
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) {1,2}(\d{1,2}:\d{2}:\d{2})/;

function secondsOf(line: string | undefined): number | undefined {
  const match = line === undefined ? null : TIMESTAMP.exec(line);
  return match ? Date.parse(`${match[1]}T${match[2]?.padStart(8, '0')}Z`) / 1000 : undefined;
}

/** From "Normal shutdown" to "Shutdown complete", by the log's own clock; undefined if either is missing. */
export function shutdownSeconds(run: string): number | undefined {
  const lines = run.split('\n');
  const begun = secondsOf(lines.find((line) => /Normal shutdown/.test(line)));
  const done = secondsOf(lines.find((line) => /mariadbd: Shutdown complete/.test(line)));
  return begun === undefined || done === undefined ? undefined : done - begun;
}
