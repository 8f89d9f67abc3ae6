import { hostname, userInfo } from 'node:os';
import { printableStream } from '../core/printable.js';
import type { LockIdentity } from '../engine/lock/lock-owner.js';
import { processStartOf } from '../engine/lock/process-liveness.js';
import { type Clock, systemClock } from '../engine/ports/clock.js';

/** Where a command writes: the process's streams, or strings in a test. */
export interface CommandStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** What every command is given from its process: tests pass strings, a fake clock and a folder. */
export interface CommandServices {
  readonly streams: CommandStreams;
  readonly clock: Clock;
  /** Where relative paths (the plan, `--out`, `--metrics-textfile`) start from. */
  readonly cwd: string;
}

/**
 * The process's streams, through `printable`: whatever a command prints of a file a person
 * wrote, a control character in it cannot drive the terminal.
 */
export const processStreams: CommandStreams = {
  stdout: printableStream(process.stdout),
  stderr: printableStream(process.stderr),
};

/** This process's streams, the system clock and working directory: what a command's handler hands on. */
export function processServices(): CommandServices {
  return { streams: processStreams, clock: systemClock, cwd: process.cwd() };
}

/** Who this process is, as a campaign's lock records its holder. */
export function processIdentity(): LockIdentity {
  const processStart = processStartOf(process.pid);
  return {
    user: userInfo().username,
    host: hostname(),
    pid: process.pid,
    ...(processStart === undefined ? {} : { processStart }),
  };
}

/** The output flags of the commands that print a document: `--out FILE` and `--json`. */
export interface OutputFlags {
  /** Write to this file (atomically) instead of stdout. */
  readonly out?: string | undefined;
  readonly json?: boolean | undefined;
}
