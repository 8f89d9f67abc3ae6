import { DbwaveError, ErrorCode, TransportError } from '../../../../src/core/errors.js';
import { commandFailed } from '../../../../src/engine/host-commands/command-failed.js';
import type { StepName } from '../../../../src/engine/journal/journal-record.js';
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
} from '../../../../src/engine/ports/host-commands.js';
import type { CommandResult } from '../../../../src/engine/ports/remote-shell.js';
import type { CommandTemplates } from '../../../../src/model/campaign-schema.js';
import type { TemplateCommand } from '../../../../src/model/campaign-templates.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';
import type { FakeDbServer } from './fake-db-server.js';

/**
 * The engine's host-commands port over a FakeDbServer: each question answered from the server's
 * state, no shell line built or read. Every command counts on the fleet's crash switch (a batch
 * can be cut between its commands, as dbwave can die while the host runs it) and fails as SSH
 * would while the host's `sshDown` fault is set; each port call is one round trip in the host's
 * `roundTrips`.
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

  async run(step: StepName, command: TemplateCommand, timeoutMs?: number): Promise<CommandResult> {
    if (!this.has(command)) {
      throw new DbwaveError(ErrorCode.Internal, `commands.${command} is not set`);
    }
    this.reach(step, command);
    this.host.timeouts.set(command, timeoutMs ?? this.templates.timeout);
    return this.answer(step, command);
  }

  /** What the host answers to a template command (a subclass may dress it up). */
  protected answer(_step: StepName, command: TemplateCommand): CommandResult {
    return this.host.command(command);
  }

  async systemdStopTimeout(step: StepName): Promise<SystemdStopTimeout> {
    this.reach(step, 'systemd-stop-timeout');
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
    step: StepName,
    _path: string,
    offset: number,
    maxBytes: number,
    _watch: HostWatch,
  ): Promise<RunningOrExited> {
    // The host's watch as one look at the process: each call is one `exitAfterPolls` poll.
    this.reach(step, 'running-or-error-log');
    if (this.host.command('running').exitCode === 0) return { running: true };
    return { running: false, tail: this.host.errorLogSince(offset, maxBytes) };
  }

  async switchPackage(step: StepName, command: PackageCommand): Promise<PackageSwitch> {
    const trip = this.batch();
    if (trip(step, 'running').exitCode === 0) return { running: true };
    const switched = trip(step, command);
    if (switched.exitCode !== 0) throw commandFailed(this.server, command, switched);
    const version = trip(step, 'installedVersion');
    if (version.exitCode !== 0) throw commandFailed(this.server, 'installedVersion', version);
    return { running: false, installedVersion: version.stdout.trim() };
  }

  async stopAndWatch(
    step: StepName,
    _path: string,
    offset: number,
    maxBytes: number,
    _watch: HostWatch,
    stopTimeoutMs: number,
  ): Promise<StopAndWatch> {
    const trip = this.batch();
    this.host.timeouts.set('stop', stopTimeoutMs);
    const stop = trip(step, 'stop');
    if (stop.exitCode !== 0) return { stop };
    // The host's watch as one look at the process, as runningOrErrorLog takes it.
    if (trip(step, 'running').exitCode === 0) return { stop, watch: { running: true } };
    return { stop, watch: { running: false, tail: this.host.errorLogSince(offset, maxBytes) } };
  }

  async runningAndErrorLogSize(step: StepName): Promise<RunningAndLogSize> {
    const trip = this.batch();
    const running = trip(step, 'running').exitCode === 0;
    this.reach(step, 'error-log-size', true);
    return { running, errorLogSize: this.host.errorLogSize() };
  }

  async installedVersion(step: StepName): Promise<string> {
    return (await this.runChecked(step, 'installedVersion')).stdout.trim();
  }

  async errorLogAccess(step: StepName): Promise<ErrorLogAccess> {
    this.reach(step, 'error-log');
    return { readable: true };
  }

  async errorLogSize(step: StepName): Promise<number | undefined> {
    this.reach(step, 'error-log-size');
    return this.host.errorLogSize();
  }

  async errorLogSince(
    step: StepName,
    _path: string,
    offset: number,
    maxBytes: number,
  ): Promise<ErrorLogTail | undefined> {
    this.reach(step, 'error-log');
    return this.host.errorLogSince(offset, maxBytes);
  }

  async diskFree(step: StepName): Promise<DiskFree> {
    this.reach(step, 'df');
    return { availableKb: this.host.freeKb };
  }

  /**
   * One command on the host: a crash point, refused while SSH is down, logged once it gets there;
   * a new round trip unless it is `inBatch` (then it joins the round trip before it).
   */
  private reach(step: StepName, call: string, inBatch = false): void {
    this.host.crash.tick();
    if (this.host.faults.sshDown) throw new TransportError(this.server.host, 'connect ECONNREFUSED');
    this.host.calls.push(call);
    const last = this.host.roundTrips.at(-1);
    if (inBatch && last !== undefined) last.calls.push(call);
    else this.host.roundTrips.push({ step, calls: [call] });
  }

  /** A batch: its first command starts a round trip, the others join it. */
  private batch(): (step: StepName, command: TemplateCommand) => CommandResult {
    let first = true;
    return (step, command) => {
      this.reach(step, command, !first);
      first = false;
      return this.answer(step, command);
    };
  }
}
