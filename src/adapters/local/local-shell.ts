import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { CommandResult, ExecOptions, RemoteShell } from '../../engine/ports/remote-shell.js';
import { CommandOutput } from '../shell/command-output.js';
import { CommandTimeoutError } from '../shell/command-timeout-error.js';
import { DATABASE_PROCESS_NAMES } from '../shell/database-process-names.js';
import { CHILD_ENVIRONMENT, childEnvironment } from './child-environment.js';

/** How long the pipes may stay open after the shell exited (a daemon holding them). */
const PIPE_DRAIN_MS = 500;

export interface LocalShellOptions {
  /** Name used in errors (the server the commands act on). */
  readonly label: string;
  /** Bytes kept per stream (the tail). */
  readonly maxOutputBytes: number;
  /** After SIGTERM, how long the command's processes get before SIGKILL (default 5s). */
  readonly killGraceMs?: number;
  /** Processes spared when a command is aborted (default {@link DATABASE_PROCESS_NAMES}). */
  readonly protectedProcessNames?: readonly string[];
  /** The whole environment of every command (default: {@link CHILD_ENVIRONMENT} from `process.env`). */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * Runs commands on the machine running dbwave (`transport: local`) with `/bin/sh -c`, in the
 * minimal environment of {@link CHILD_ENVIRONMENT}: dbwave's secrets never reach them.
 *
 * Each command gets its own process group, so on timeout or abort the whole command (the shell
 * and what it started) is stopped: SIGTERM, then SIGKILL after a grace period. A database
 * server that a start command launched without detaching is spared: its shutdown is dbwave's
 * business, and killing mysqld is never an acceptable way to end a command.
 *
 * On timeout `exec` rejects with {@link CommandTimeoutError} (result `exitCode: null`); on an
 * aborted signal it rejects with the signal's reason.
 */
export class LocalShell implements RemoteShell {
  private readonly environment: Readonly<Record<string, string>>;

  constructor(private readonly options: LocalShellOptions) {
    this.environment = options.environment ?? childEnvironment(process.env);
  }

  exec(command: string, options: ExecOptions): Promise<CommandResult> {
    const output = new CommandOutput(this.options.maxOutputBytes);
    const { stdout, stderr } = output;
    const resultWith = (exitCode: number | null): CommandResult => output.result(exitCode);

    return new Promise<CommandResult>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      const child = spawn('/bin/sh', ['-c', command], {
        detached: true,
        env: this.environment,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stopping: 'timeout' | 'abort' | undefined;
      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;
      let killTimer: NodeJS.Timeout | undefined;

      const stop = (why: 'timeout' | 'abort'): void => {
        if (stopping !== undefined || child.pid === undefined) return;
        stopping = why;
        const pgid = child.pid;
        this.signalGroup(pgid, 'SIGTERM');
        killTimer = setTimeout(() => this.signalGroup(pgid, 'SIGKILL'), this.options.killGraceMs ?? 5_000);
        killTimer.unref();
      };
      const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
      const onAbort = (): void => stop('abort');
      options.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
      const finish = (code: number | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(drainTimer);
        options.signal?.removeEventListener('abort', onAbort);
        if (stopping === 'timeout') {
          reject(new CommandTimeoutError(this.options.label, options.timeoutMs, resultWith(null)));
        } else if (stopping === 'abort') {
          reject(options.signal?.reason);
        } else {
          resolve(resultWith(code));
        }
      };
      // 'close' comes once the pipes are drained, so the output is complete. A daemon the command
      // started may hold the pipes open for good, though: once the shell has exited, give the
      // pipes a moment and then stop reading.
      child.on('exit', (code) => {
        // The command is over: its own exit status stands, whatever the clock says now.
        clearTimeout(timer);
        drainTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(code);
        }, PIPE_DRAIN_MS);
      });
      child.on('close', (code) => finish(code));
    });
  }

  async close(): Promise<void> {}

  /** Signals every process of the group except the protected ones. */
  private signalGroup(pgid: number, signal: NodeJS.Signals): void {
    const members = processGroupMembers(pgid);
    if (members === undefined) {
      // No /proc (not Linux): the group as a whole is all we can address.
      trySignal(-pgid, signal);
      return;
    }
    const spared = this.options.protectedProcessNames ?? DATABASE_PROCESS_NAMES;
    for (const member of members) {
      if (!spared.includes(member.name)) trySignal(member.pid, signal);
    }
  }
}

interface ProcessInfo {
  readonly pid: number;
  readonly name: string;
}

/** The processes of a process group, read from /proc; undefined when /proc is not there. */
function processGroupMembers(pgid: number): ProcessInfo[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the name, which sits in parentheses and may itself hold spaces or ')'.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is the state, [1] the parent pid, [2] the process group.
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push({ pid: Number(entry), name });
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
