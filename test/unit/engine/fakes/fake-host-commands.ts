import { DbwaveError, ErrorCode, TransportError } from '../../../../src/core/errors.js';
import { commandFailed } from '../../../../src/engine/host-commands/command-failed.js';
import type { StepName } from '../../../../src/engine/journal/journal-record.js';
import type {
  DiskFree,
  ErrorLogAccess,
  ErrorLogTail,
  HostCommands,
  HostWatch,
  RunningOrExited,
  SystemdStopTimeout,
} from '../../../../src/engine/ports/host-commands.js';
import type { CommandResult } from '../../../../src/engine/ports/remote-shell.js';
import type { CommandTemplates } from '../../../../src/model/campaign-schema.js';
import type { TemplateCommand } from '../../../../src/model/campaign-templates.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';
import type { FakeDbServer } from './fake-db-server.js';

/**
 * The engine's host-commands port over a FakeDbServer: each question answered from the server's
 * state, no shell line built or read. Every call counts on the fleet's crash switch and fails as
 * SSH would while the host's `sshDown` fault is set.
 */
export class FakeHostCommands implements HostCommands {
  constructor(
    protected readonly host: FakeDbServer,
    private readonly server: ResolvedServer,
    private readonly templates: CommandTemplates,
  ) {}

  has(command: TemplateCommand): boolean {
    return this.templates[command] !== undefined;
  }

  async run(_step: StepName, command: TemplateCommand, timeoutMs?: number): Promise<CommandResult> {
    if (!this.has(command)) {
      throw new DbwaveError(ErrorCode.Internal, `commands.${command} is not set`);
    }
    this.reach(command);
    this.host.timeouts.set(command, timeoutMs ?? this.templates.timeout);
    return this.host.command(command);
  }

  async systemdStopTimeout(): Promise<SystemdStopTimeout> {
    this.reach('systemd-stop-timeout');
    const timeout = this.host.systemdStopTimeout;
    return timeout === undefined ? { timeout, reason: 'no systemctl', noSystemd: true } : { timeout };
  }

  async runChecked(step: StepName, command: TemplateCommand): Promise<CommandResult> {
    const result = await this.run(step, command);
    if (result.exitCode !== 0) throw commandFailed(this.server, command, result);
    return result;
  }

  async isRunning(step: StepName): Promise<boolean> {
    return (await this.run(step, 'running')).exitCode === 0;
  }

  async runningOrErrorLog(
    _step: StepName,
    _path: string,
    offset: number,
    maxBytes: number,
    _watch: HostWatch,
  ): Promise<RunningOrExited> {
    // The host's watch as one look at the process: each call is one `exitAfterPolls` poll.
    this.reach('running-or-error-log');
    if (this.host.command('running').exitCode === 0) return { running: true };
    return { running: false, tail: this.host.errorLogSince(offset, maxBytes) };
  }

  async installedVersion(step: StepName): Promise<string> {
    return (await this.runChecked(step, 'installedVersion')).stdout.trim();
  }

  async errorLogAccess(): Promise<ErrorLogAccess> {
    this.reach('error-log');
    return { readable: true };
  }

  async errorLogSize(): Promise<number | undefined> {
    this.reach('error-log-size');
    return this.host.errorLogSize();
  }

  async errorLogSince(
    _step: StepName,
    _path: string,
    offset: number,
    maxBytes: number,
  ): Promise<ErrorLogTail | undefined> {
    this.reach('error-log');
    return this.host.errorLogSince(offset, maxBytes);
  }

  async diskFree(): Promise<DiskFree> {
    this.reach('df');
    return { availableKb: this.host.freeKb };
  }

  /** One round trip to the host: a crash point, refused while SSH is down, logged once it gets there. */
  private reach(call: string): void {
    this.host.crash.tick();
    if (this.host.faults.sshDown) throw new TransportError(this.server.host, 'connect ECONNREFUSED');
    this.host.calls.push(call);
  }
}
