import { printable } from './printable.js';
/**
 * The error hierarchy. Every failure dbwave reports carries a stable `code` (scripts match on it),
 * the context it happened in, and its `cause`. The CLI maps codes to exit statuses and prints one
 * line for a user's mistake, never a stack trace.
 */

export const ErrorCode = {
  /** A file a person wrote (class, campaign, plan) is invalid: exit 2. */
  InvalidInput: 'INVALID_INPUT',
  /** The command line itself is wrong: exit 2. */
  Usage: 'USAGE',
  /** A plan that parses but breaks a planning rule (dbwave check): exit 1. */
  PlanViolation: 'PLAN_VIOLATION',
  /** Another dbwave holds the campaign's lock, or the lock cannot be read: exit 3. */
  Locked: 'LOCKED',
  /** A step failed on a server. */
  StepFailed: 'STEP_FAILED',
  /** A remote command or connection failed. */
  Transport: 'TRANSPORT',
  /** A wait ran out of time. */
  Timeout: 'TIMEOUT',
  /** The journal is damaged beyond its torn last line. */
  JournalCorrupt: 'JOURNAL_CORRUPT',
  /** A journal record could not be made durable (a full disk, an I/O error): the wave halts. */
  JournalUnwritable: 'JOURNAL_UNWRITABLE',
  /** `run --wave N` while the wave before it is not done (see engine/wave/wave-order.ts): exit 1. */
  WaveOrder: 'WAVE_ORDER',
  /** `run` of a wave whose canary stage has not decided, through a store whose runners share waves: exit 1. */
  SharedCanaryStage: 'SHARED_CANARY_STAGE',
  /** Anything unexpected: a bug in dbwave. */
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface DbwaveErrorOptions {
  readonly cause?: unknown;
  /** Whether trying the same thing again may succeed (a dropped connection: yes; a bad file: no). */
  readonly retryable?: boolean;
}

export class DbwaveError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: DbwaveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem in one file a person wrote: names the file and where in it. */
export interface InputIssue {
  readonly file: string;
  /** Dotted key path (`waves.2.size`) or empty when the problem is the file as a whole. */
  readonly key: string;
  /** 1-based line, when known. */
  readonly line?: number;
  readonly message: string;
}

export function formatInputIssue(issue: InputIssue): string {
  const where = [issue.file, issue.line === undefined ? undefined : `line ${issue.line}`]
    .filter((part) => part !== undefined)
    .join(':');
  const line = issue.key === '' ? `${where}: ${issue.message}` : `${where}: ${issue.key}: ${issue.message}`;
  return printable(line);
}

/** Invalid input: one or more problems, each naming its file and key. Exit 2. */
export class InputError extends DbwaveError {
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[], options: DbwaveErrorOptions = {}) {
    super(ErrorCode.InvalidInput, issues.map(formatInputIssue).join('\n'), options);
    this.issues = issues;
  }

  static of(file: string, key: string, message: string, line?: number): InputError {
    return new InputError([line === undefined ? { file, key, message } : { file, key, message, line }]);
  }
}

export class UsageError extends DbwaveError {
  constructor(message: string) {
    super(ErrorCode.Usage, message);
  }
}

/** A failure on one server during one step. */
export class StepError extends DbwaveError {
  readonly server: string;
  readonly step: string;

  constructor(server: string, step: string, message: string, options: DbwaveErrorOptions = {}) {
    super(ErrorCode.StepFailed, `${server}: ${step}: ${message}`, options);
    this.server = server;
    this.step = step;
  }
}

export class TransportError extends DbwaveError {
  readonly host: string;

  constructor(host: string, message: string, options: DbwaveErrorOptions = {}) {
    super(ErrorCode.Transport, `${host}: ${message}`, { retryable: true, ...options });
    this.host = host;
  }
}

export class TimeoutError extends DbwaveError {
  constructor(what: string, afterMs: number, options: DbwaveErrorOptions = {}) {
    super(ErrorCode.Timeout, `${what}: still not done after ${Math.round(afterMs / 1000)}s`, {
      retryable: true,
      ...options,
    });
  }
}

/**
 * Exit statuses, documented in the README: 0 ok, 1 not healthy, 2 invalid input or usage, 3 the
 * campaign's lock is held by another run (a wrapper waits and tries again, where 1 means look at
 * the wave). 129 and 143 (SIGHUP, SIGTERM) are set by the CLI's signal handling.
 */
export const ExitStatus = { Ok: 0, Unhealthy: 1, InvalidInput: 2, Locked: 3 } as const;
export type ExitStatus = (typeof ExitStatus)[keyof typeof ExitStatus];

export function exitStatusFor(error: unknown): ExitStatus {
  if (error instanceof DbwaveError) {
    if (error.code === ErrorCode.InvalidInput || error.code === ErrorCode.Usage)
      return ExitStatus.InvalidInput;
    if (error.code === ErrorCode.Locked) return ExitStatus.Locked;
    return ExitStatus.Unhealthy;
  }
  return ExitStatus.Unhealthy;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
