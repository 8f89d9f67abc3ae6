import { randomBytes } from 'node:crypto';
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
  PackageCommand,
  PackageSwitch,
  RunningAndLogSize,
  RunningOrExited,
  StopAndWatch,
  SystemdStopTimeout,
} from '../ports/host-commands.js';
import type { CommandResult, RemoteShell } from '../ports/remote-shell.js';
import type { CommandOutputSink } from '../ports/server-connectors.js';
import { type BatchEntry, type BatchResults, batchScript, parseBatchOutput } from './command-batch.js';
import { commandFailed } from './command-failed.js';
import { diskFreeCommand, parseDfAvailableKb } from './disk-free.js';
import { errorLogSizeCommand, parseErrorLogSize } from './error-log-size.js';
import { errorLogTailCommand, parseErrorLogTail } from './error-log-tail.js';

/** What a batch's own headers and fences take of its answer, with room to spare. */
const BATCH_FRAMING_BYTES = 1_024;

/** The watch's own lines before the log's text ("exited", the log's size). */
const WATCH_LINE_BYTES = 64;

/** A command the batch did not run, for the error that says so. */
const notRun: CommandResult = { exitCode: null, stdout: '', stderr: 'not run', durationMs: 0 };

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

  async runningOrErrorLog(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
    watch: HostWatch,
  ): Promise<RunningOrExited> {
    const result = await this.exec(
      step,
      'running-or-error-log',
      this.watchLine(path, offset, maxBytes, watch),
    );
    return this.readWatch(result, offset);
  }

  async switchPackage(step: StepName, command: PackageCommand): Promise<PackageSwitch> {
    const [running, switched, version] = await this.execBatch(step, [
      { label: 'running', line: this.renderSet('running') },
      { label: command, line: this.renderSet(command), after: 'failure' },
      { label: 'installedVersion', line: this.renderSet('installedVersion'), after: 'success' },
    ]);
    if (running?.exitCode === 0) return { running: true };
    if (switched === undefined || switched.exitCode !== 0) {
      throw commandFailed(this.options.server, command, switched ?? notRun);
    }
    if (version === undefined || version.exitCode !== 0) {
      throw commandFailed(this.options.server, 'installedVersion', version ?? notRun);
    }
    return { running: false, installedVersion: version.stdout.trim() };
  }

  async stopAndWatch(
    step: StepName,
    path: string,
    offset: number,
    maxBytes: number,
    watch: HostWatch,
    stopTimeoutMs: number,
  ): Promise<StopAndWatch> {
    // The log read fits the watch's share of the answer (a cut answer would lose its first
    // line); a log that gained more comes back partial, and the step reads it on its own.
    const logBytes = Math.max(1, Math.min(maxBytes, this.batchShare(2) - WATCH_LINE_BYTES));
    const [stop, watched] = await this.execBatch(step, [
      { label: 'stop', line: this.renderSet('stop'), timeoutMs: stopTimeoutMs },
      {
        label: 'running-or-error-log',
        line: this.watchLine(path, offset, logBytes, watch),
        after: 'success',
      },
    ]);
    const stopped = stop ?? notRun;
    return watched === undefined
      ? { stop: stopped }
      : { stop: stopped, watch: this.readWatch(watched, offset) };
  }

  async runningAndErrorLogSize(step: StepName, path: string): Promise<RunningAndLogSize> {
    const [running, size] = await this.execBatch(step, [
      { label: 'running', line: this.renderSet('running') },
      { label: 'error-log-size', line: errorLogSizeCommand(path) },
    ]);
    return { running: running?.exitCode === 0, errorLogSize: parseErrorLogSize(size ?? notRun) };
  }

  /**
   * The host repeats `running` every `watch.everyS` seconds, up to `watch.rounds` times: the exit
   * is noticed there within that interval, not one SSH round trip (0.2-0.5 s on a busy machine)
   * after the next poll. One round is a single check. Once it exited, the error log since `offset`.
   */
  private watchLine(path: string, offset: number, maxBytes: number, watch: HostWatch): string {
    const running = this.renderSet('running');
    const rounds = Math.max(1, Math.floor(watch.rounds));
    return `n=0; while ( ${running} ) >/dev/null 2>&1; do n=$((n+1)); if [ "$n" -ge ${rounds} ]; then echo running; exit 0; fi; sleep ${watch.everyS}; done; echo exited; ${errorLogTailCommand(path, offset, maxBytes)}`;
  }

  private readWatch(result: CommandResult, offset: number): RunningOrExited {
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

  /**
   * Runs several command lines as one script, one round trip (command-batch.ts), and keeps each
   * command's output as if it had run alone. A batch without a whole answer (the session was
   * lost, the connection dropped) is a transport failure: what ran is for the probes to find.
   */
  private async execBatch(step: StepName, entries: readonly BatchEntry[]): Promise<BatchResults> {
    const nonce = randomBytes(8).toString('hex');
    const script = batchScript(entries, nonce, this.batchShare(entries.length));
    // Each command keeps its own limit (commands.timeout unless it says otherwise): the batch's is their sum.
    const timeoutMs = entries.reduce(
      (sum, entry) => sum + (entry.timeoutMs ?? this.options.templates.timeout),
      0,
    );
    const { at, result: batch } = await this.runLine(script, timeoutMs);
    const results = batch.exitCode === 0 ? parseBatchOutput(batch.stdout, entries, nonce) : undefined;
    const labels = entries.map((entry) => entry.label);
    if (results === undefined) {
      await this.keep(step, labels.join('+'), '(batch)', at, batch);
      throw new TransportError(
        this.options.server.host,
        `${labels.join(', ')}: no whole answer from the host (exit ${batch.exitCode ?? 'none'})`,
      );
    }
    await Promise.all(
      entries.map((entry, index) => {
        const result = results[index];
        return result === undefined ? undefined : this.keep(step, entry.label, entry.line, at, result);
      }),
    );
    return results;
  }

  /** What each command's stdout (and stderr) may put in a batch's answer: an equal share of it. */
  private batchShare(commands: number): number {
    const share = (this.options.templates.maxOutputBytes - BATCH_FRAMING_BYTES) / (2 * commands);
    return Math.max(1, Math.floor(share));
  }

  /** Runs a command line built here (already quoted) and keeps its output. */
  private async exec(
    step: StepName,
    label: string,
    line: string,
    timeoutMs?: number,
  ): Promise<CommandResult> {
    const { at, result } = await this.runLine(line, timeoutMs ?? this.options.templates.timeout);
    await this.keep(step, label, line, at, result);
    return result;
  }

  /** Runs a line on the server's shell, cut after `timeoutMs`; `at`: when it began. */
  private async runLine(line: string, timeoutMs: number): Promise<{ at: string; result: CommandResult }> {
    const shell = await this.options.shell();
    const at = new Date(this.options.clock.now()).toISOString();
    const result = await shell.exec(line, {
      timeoutMs,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    return { at, result };
  }

  /** Keeps one command's output in the state dir; a store that fails never fails the command. */
  private keep(step: StepName, label: string, command: string, at: string, result: CommandResult) {
    return this.options.output
      .save({
        server: this.options.server.name,
        step,
        label,
        command,
        at,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        stdout: result.stdout,
        stderr: result.stderr,
      })
      .catch(() => undefined);
  }
}
