import { DbwaveError, ErrorCode, TransportError } from '../../core/errors.js';
import type { CommandTemplates } from '../../model/campaign-schema.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { Clock } from '../ports/clock.js';
import type { CommandResult, RemoteShell } from '../ports/remote-shell.js';
import type { CommandOutputSink } from '../ports/server-connectors.js';
import { renderCommand, type TemplateVariables } from './command-template.js';
import { type ErrorLogTail, errorLogTailCommand, parseErrorLogTail } from './error-log-tail.js';

/** The campaign's command templates the engine runs. */
export const TEMPLATE_COMMANDS = [
  'stop',
  'start',
  'running',
  'installedVersion',
  'upgrade',
  'rollback',
  'postUpgrade',
] as const;
export type TemplateCommand = (typeof TEMPLATE_COMMANDS)[number];

export interface ServerCommandsOptions {
  readonly server: ResolvedServer;
  readonly templates: CommandTemplates;
  readonly variables: TemplateVariables;
  /** The campaign file, for error messages about a template. */
  readonly campaignFile: string;
  readonly shell: () => Promise<RemoteShell>;
  readonly output: CommandOutputSink;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

/**
 * One server's commands: the campaign's templates rendered for it (every value shell-quoted),
 * run with the campaign's timeout, each output kept in the state dir.
 */
export class ServerCommands {
  private readonly options: ServerCommandsOptions;

  constructor(options: ServerCommandsOptions) {
    this.options = options;
  }

  /** The command line of a template for this server; undefined for an optional one not set. */
  render(command: TemplateCommand): string | undefined {
    const template = this.options.templates[command];
    if (template === undefined) return undefined;
    return renderCommand(template, this.options.variables, {
      file: this.options.campaignFile,
      key: `commands.${command}`,
    });
  }

  /** Runs a template command; the result says how it exited (a non-zero exit is no throw). */
  async run(step: string, command: TemplateCommand): Promise<CommandResult> {
    const line = this.render(command);
    if (line === undefined) {
      throw new DbwaveError(
        ErrorCode.Internal,
        `commands.${command} is not set in ${this.options.campaignFile}`,
      );
    }
    return this.exec(step, command, line);
  }

  /** Runs a command line the engine built itself (already quoted). */
  async exec(step: string, label: string, line: string): Promise<CommandResult> {
    const shell = await this.options.shell();
    const at = new Date(this.options.clock.now()).toISOString();
    const result = await shell.exec(line, {
      timeoutMs: this.options.templates.timeout,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    await this.options.output
      .save({
        server: this.options.server.name,
        step,
        label,
        command: line,
        at,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        stdout: result.stdout,
        stderr: result.stderr,
      })
      .catch(() => undefined);
    return result;
  }

  /** Runs a command that must succeed: a non-zero exit is a thrown error carrying its stderr. */
  async runChecked(step: string, command: TemplateCommand): Promise<CommandResult> {
    const result = await this.run(step, command);
    if (result.exitCode !== 0) throw commandFailed(this.options.server, command, result);
    return result;
  }

  /** The `running` command: exit 0 running, another exit not running, no exit (dropped) a throw. */
  async isRunning(step: string): Promise<boolean> {
    const result = await this.run(step, 'running');
    if (result.exitCode === null) {
      throw new TransportError(this.options.server.host, '`running` command got no exit status');
    }
    return result.exitCode === 0;
  }

  /**
   * The `running` command and, once mysqld has exited, the error log since `offset`, in one round
   * trip: users are in 503 until the exit is noticed and judged clean, so no second exchange.
   * The host itself repeats `running` every `watch.everyS` seconds, up to `watch.rounds` times,
   * before it answers "running": the exit is noticed on the host within that interval, not one SSH
   * round trip (0.2-0.5 s on a busy machine) after the next poll. One round is a single check.
   * `tail` is undefined when the log could not be read.
   */
  async runningOrErrorLog(
    step: string,
    path: string,
    offset: number,
    maxBytes: number,
    watch: { readonly rounds: number; readonly everyS: number },
  ): Promise<
    { readonly running: true } | { readonly running: false; readonly tail: ErrorLogTail | undefined }
  > {
    const running = this.render('running');
    if (running === undefined) {
      throw new DbwaveError(
        ErrorCode.Internal,
        `commands.running is not set in ${this.options.campaignFile}`,
      );
    }
    const rounds = Math.max(1, Math.floor(watch.rounds));
    const line = `n=0; while ( ${running} ) >/dev/null 2>&1; do n=$((n+1)); if [ "$n" -ge ${rounds} ]; then echo running; exit 0; fi; sleep ${watch.everyS}; done; echo exited; ${errorLogTailCommand(path, offset, maxBytes)}`;
    const result = await this.exec(step, 'running-or-error-log', line);
    const newline = result.stdout.indexOf('\n');
    const first = (newline === -1 ? result.stdout : result.stdout.slice(0, newline)).trim();
    if (first === 'running') return { running: true };
    if (first === 'exited') {
      const rest = newline === -1 ? '' : result.stdout.slice(newline + 1);
      return { running: false, tail: result.exitCode === 0 ? parseErrorLogTail(rest, offset) : undefined };
    }
    throw new TransportError(
      this.options.server.host,
      `\`running\` check answered neither running nor exited (exit ${result.exitCode})`,
    );
  }

  /** What the `installedVersion` command prints, trimmed. */
  async installedVersion(step: string): Promise<string> {
    return (await this.runChecked(step, 'installedVersion')).stdout.trim();
  }
}

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
