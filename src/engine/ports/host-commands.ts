import type { TemplateCommand } from '../../model/campaign-templates.js';
import type { StopTimeout } from '../../model/systemd-stop-timeout.js';
import type { StepName } from '../journal/journal-record.js';
import type { CommandResult } from './remote-shell.js';

/** What a server's error log gained since an offset. */
export interface ErrorLogTail {
  /** The log's size when it was read. */
  readonly size: number;
  /** Where the text starts: the offset, or 0 when the log was rotated. */
  readonly start: number;
  readonly rotated: boolean;
  readonly text: string;
}

/** How often, and how long, the host itself repeats `running` before it answers "running". */
export interface HostWatch {
  readonly rounds: number;
  readonly everyS: number;
}

/** mysqld still runs, or it has exited and this is what its error log gained meanwhile. */
export type RunningOrExited =
  | { readonly running: true }
  /** `tail` is undefined when the log could not be read. */
  | { readonly running: false; readonly tail: ErrorLogTail | undefined };

/** What a package step runs while mysqld is down: a package switch, or a restart's configuration. */
export type PackageCommand = 'upgrade' | 'rollback' | 'configure';

/** What a package switch found: mysqld running (nothing switched), or the version installed after it. */
export type PackageSwitch =
  | { readonly running: true }
  | { readonly running: false; readonly installedVersion: string };

/** The `stop` command's result and, when it succeeded, what the watch for the exit saw next. */
export interface StopAndWatch {
  readonly stop: CommandResult;
  readonly watch?: RunningOrExited;
}

/** Whether mysqld runs, and the error log's size (undefined when unreadable), read together. */
export interface RunningAndLogSize {
  readonly running: boolean;
  readonly errorLogSize: number | undefined;
}

/** Whether the error log can be read, and what the host said when it cannot. */
export type ErrorLogAccess =
  | { readonly readable: true }
  | { readonly readable: false; readonly reason: string };

/** A unit's stop timeout, or why it is not there. */
export type SystemdStopTimeout =
  | { readonly timeout: StopTimeout }
  | { readonly timeout: undefined; readonly reason: string; readonly noSystemd: boolean };

/** The free space of a filesystem, or what the host said when it could not be read. */
export type DiskFree =
  | { readonly availableKb: number }
  | { readonly availableKb: undefined; readonly reason: string };

/**
 * What the steps ask of a server's host, one question per method: the engine owns this port, and
 * no step hands it a shell line. The real implementation renders the campaign's templates and
 * runs shell over SSH (host-commands/shell-host-commands.ts); unit tests model the server behind
 * it. `step` says which step asks, for the output kept of each command.
 */
export interface HostCommands {
  /** Whether the campaign sets this template (`postUpgrade` is optional). */
  has(command: TemplateCommand): boolean;
  /**
   * Runs a template command; the result says how it exited (a non-zero exit is no throw). It is
   * cut at `commands.timeout` unless `timeoutMs` says otherwise (a blocking `stop` gets the
   * shutdown's hard limit).
   */
  run(step: StepName, command: TemplateCommand, timeoutMs?: number): Promise<CommandResult>;
  /** Runs a template command that must succeed: a non-zero exit is a thrown error. */
  runChecked(step: StepName, command: TemplateCommand): Promise<CommandResult>;
  /** The `running` command: true running, false not; a dropped connection is a throw. */
  isRunning(step: StepName): Promise<boolean>;
  /**
   * `running` and, once mysqld has exited, the error log since `offset`, in one round trip: users
   * are in 503 until the exit is noticed and judged clean. The host repeats `running` as `watch`
   * says before it answers "running", so the exit is noticed there, not one round trip later.
   */
  runningOrErrorLog(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
    watch: HostWatch,
  ): Promise<RunningOrExited>;
  /**
   * `running`, then (only when it says not running) the package step's command (`upgrade`,
   * `rollback`, or a rolling restart's `configure`),
   * then (only when the switch succeeded) `installedVersion`, in one round trip. A switch or a
   * version read that fails is thrown as {@link run}'s non-zero exit would be by runChecked.
   */
  switchPackage(step: StepName, command: PackageCommand): Promise<PackageSwitch>;
  /**
   * `stop` and, only when it exited 0, the watch of {@link runningOrErrorLog}, in one round trip:
   * a shutdown that ends within the watch is noticed without a second one. The stop is cut at
   * `stopTimeoutMs` (the shutdown's hard limit: a blocking stop lasts the whole shutdown), not at
   * commands.timeout; the watch keeps commands.timeout.
   */
  stopAndWatch(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
    watch: HostWatch,
    stopTimeoutMs: number,
  ): Promise<StopAndWatch>;
  /** {@link isRunning} and {@link errorLogSize} in one round trip. */
  runningAndErrorLogSize(step: StepName, path: string): Promise<RunningAndLogSize>;
  /** What the `installedVersion` command prints, trimmed. */
  installedVersion(step: StepName): Promise<string>;
  /** Whether the error log can be read: it is how a clean shutdown is told from a crash. */
  errorLogAccess(step: StepName, path: string): Promise<ErrorLogAccess>;
  /** The error log's size in bytes, where the next lines begin; undefined when it cannot be read. */
  errorLogSize(step: StepName, path: string): Promise<number | undefined>;
  /** The error log from `offset` (from its start when rotated), at most `maxBytes`; undefined when unreadable. */
  errorLogSince(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
  ): Promise<ErrorLogTail | undefined>;
  /** The free space of the filesystem that holds `dir`. */
  diskFree(step: StepName, dir: string): Promise<DiskFree>;
  /** A systemd unit's TimeoutStopSec (`systemctl show`); `no-systemd` where the host has no systemctl. */
  systemdStopTimeout(step: StepName, unit: string): Promise<SystemdStopTimeout>;
}
