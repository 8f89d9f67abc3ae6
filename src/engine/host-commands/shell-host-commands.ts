import { DbwaveError, ErrorCode, TransportError } from '../../core/errors.js';
import type { CommandTemplates } from '../../model/campaign-schema.js';
import type { TemplateCommand } from '../../model/campaign-templates.js';
import { renderCommand, type TemplateVariables } from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { parseStopTimeout, stopTimeoutCommand } from '../../model/systemd-stop-timeout.js';
import type { StepName } from '../journal/journal-record.js';
import type { Clock } from '../ports/clock.js';
import type {
  DiskFree,
  ErrorLogAccess,
  ErrorLogTail,
  HostCommands,
  HostWatch,
  RunningOrExited,
  SystemdStopTimeout,
} from '../ports/host-commands.js';
import type { CommandResult, RemoteShell } from '../ports/remote-shell.js';
import type { CommandOutputSink } from '../ports/server-connectors.js';
import { commandFailed } from './command-failed.js';
import { diskFreeCommand, parseDfAvailableKb } from './disk-free.js';
import { errorLogSizeCommand, parseErrorLogSize } from './error-log-size.js';
import { errorLogTailCommand, parseErrorLogTail } from './error-log-tail.js';

export interface ShellHostCommandsOptions {
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
 * One server's host commands as shell lines: the campaign's templates rendered for it (every
 * value shell-quoted) and the engine's own reads of the error log and the disk, run over its
 * shell with the campaign's timeout, each output kept in the state dir.
 */
export class ShellHostCommands implements HostCommands {
  private readonly options: ShellHostCommandsOptions;

  constructor(options: ShellHostCommandsOptions) {
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

  has(command: TemplateCommand): boolean {
    return this.options.templates[command] !== undefined;
  }

  async run(step: StepName, command: TemplateCommand, timeoutMs?: number): Promise<CommandResult> {
    return this.exec(step, command, this.renderSet(command), timeoutMs);
  }

  async runChecked(step: StepName, command: TemplateCommand): Promise<CommandResult> {
    const result = await this.run(step, command);
    if (result.exitCode !== 0) throw commandFailed(this.options.server, command, result);
    return result;
  }

  /** Exit 0 running, another exit not running, no exit (dropped) a throw. */
  async isRunning(step: StepName): Promise<boolean> {
    const result = await this.run(step, 'running');
    if (result.exitCode === null) {
      throw new TransportError(this.options.server.host, '`running` command got no exit status');
    }
    return result.exitCode === 0;
  }

  /**
   * The host repeats `running` every `watch.everyS` seconds, up to `watch.rounds` times: the exit
   * is noticed there within that interval, not one SSH round trip (0.2-0.5 s on a busy machine)
   * after the next poll. One round is a single check.
   */
  async runningOrErrorLog(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
    watch: HostWatch,
  ): Promise<RunningOrExited> {
    const running = this.renderSet('running');
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

  async installedVersion(step: StepName): Promise<string> {
    return (await this.runChecked(step, 'installedVersion')).stdout.trim();
  }

  async errorLogAccess(step: StepName, path: string): Promise<ErrorLogAccess> {
    const result = await this.exec(step, 'error-log', errorLogSizeCommand(path));
    return result.exitCode === 0 ? { readable: true } : { readable: false, reason: result.stderr.trim() };
  }

  async errorLogSize(step: StepName, path: string): Promise<number | undefined> {
    return parseErrorLogSize(await this.exec(step, 'error-log-size', errorLogSizeCommand(path)));
  }

  async errorLogSince(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
  ): Promise<ErrorLogTail | undefined> {
    const result = await this.exec(step, 'error-log', errorLogTailCommand(path, offset, maxBytes));
    return result.exitCode === 0 ? parseErrorLogTail(result.stdout, offset) : undefined;
  }

  async diskFree(step: StepName, dir: string): Promise<DiskFree> {
    const result = await this.exec(step, 'df', diskFreeCommand(dir));
    const availableKb = result.exitCode === 0 ? parseDfAvailableKb(result.stdout) : undefined;
    return availableKb === undefined ? { availableKb, reason: result.stderr.trim() } : { availableKb };
  }

  async systemdStopTimeout(step: StepName, unit: string): Promise<SystemdStopTimeout> {
    const result = await this.exec(step, 'systemd-stop-timeout', stopTimeoutCommand(unit));
    // 127: no systemctl on this host (sysvinit, a container): nothing of systemd's to check.
    if (result.exitCode === 127) return { timeout: undefined, reason: 'no systemctl', noSystemd: true };
    const timeout = result.exitCode === 0 ? parseStopTimeout(result.stdout) : undefined;
    return timeout === undefined
      ? {
          timeout,
          reason: (result.stderr || result.stdout).trim() || `exit ${result.exitCode}`,
          noSystemd: false,
        }
      : { timeout };
  }

  /** The command line of a template the engine needs: one that is not set is a bug upstream. */
  private renderSet(command: TemplateCommand): string {
    const line = this.render(command);
    if (line === undefined) {
      throw new DbwaveError(
        ErrorCode.Internal,
        `commands.${command} is not set in ${this.options.campaignFile}`,
      );
    }
    return line;
  }

  /** Runs a command line built here (already quoted) and keeps its output. */
  private async exec(
    step: StepName,
    label: string,
    line: string,
    timeoutMs?: number,
  ): Promise<CommandResult> {
    const shell = await this.options.shell();
    const at = new Date(this.options.clock.now()).toISOString();
    const result = await shell.exec(line, {
      timeoutMs: timeoutMs ?? this.options.templates.timeout,
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
}
