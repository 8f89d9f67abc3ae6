import type { NodeSSH } from 'node-ssh';
import type { Client, ClientChannel } from 'ssh2';
import { errorMessage, TransportError } from '../../core/errors.js';
import type { CommandResult, ExecOptions, RemoteShell } from '../../engine/ports/remote-shell.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { CommandOutput } from '../shell/command-output.js';
import { CommandTimeoutError } from '../shell/command-timeout-error.js';
import { DATABASE_PROCESS_NAMES } from '../shell/database-process-names.js';
import {
  ProcessGroupMarkerReader,
  terminateProcessGroupScript,
  wrapWithProcessGroupReport,
} from './remote-process-group.js';
import { SshCommandSession } from './ssh-command-session.js';
import type { SshConfig } from './ssh-config.js';
import { openSshLink, type SshLink } from './ssh-connect.js';

/** How long the channel may stay open after the command exited (a daemon holding its output). */
const CHANNEL_DRAIN_MS = 500;

/**
 * Connects to a server over SSH (through its bastions, with every host key checked: see
 * `openSshLink` in ssh-connect.ts) and returns the shell that runs its commands.
 */
export async function connectSsh(server: ResolvedServer, config: SshConfig): Promise<SshShell> {
  const shell = new SshShell(server, config);
  await shell.connect();
  return shell;
}

/**
 * A `RemoteShell` over one SSH connection to one server, reused for every command of a run.
 *
 * - Commands run in one persistent command session on that connection (ssh-command-session.ts),
 *   opened with the connection, before any window: a command costs no channel of its own. A
 *   command that comes while the session runs another, or on a host that cannot run a session,
 *   gets an exec channel of its own as before; a lost session is noticed at once and replaced
 *   by a new one on the next command.
 * - A connection found dropped before a command is re-established once: the command never
 *   started, so this is safe for any command.
 * - A connection that drops while a command runs gives `exitCode: null`; when the caller says
 *   the command is idempotent (`ExecOptions.idempotent`), it reconnects and runs it once more.
 * - On timeout (or an aborted signal) the channel is closed and the command's process group is
 *   ended on the host from a second channel (SIGTERM, then SIGKILL after `killGraceMs`; database
 *   server processes are spared; see remote-process-group.ts). Then `exec` rejects with
 *   {@link CommandTimeoutError}, whose result has `exitCode: null`, or with the signal's reason.
 */
export class SshShell implements RemoteShell {
  private ssh: NodeSSH | undefined;
  /** The connections `ssh` runs over: itself, and its bastions when it has a ProxyJump. */
  private link: SshLink | undefined;
  private dropped = true;
  private connecting: Promise<void> | undefined;
  private session: SshCommandSession | undefined;
  /** The host could not run a command session on this connection: exec channels only. */
  private sessionUnavailable = false;
  private openingSession: Promise<SshCommandSession | undefined> | undefined;

  constructor(
    private readonly server: ResolvedServer,
    private readonly config: SshConfig,
  ) {}

  private get where(): string {
    return `${this.server.host}:${this.server.sshPort}`;
  }

  /** Opens (or re-opens) the connection; concurrent callers share one attempt. */
  connect(): Promise<void> {
    this.connecting ??= this.openConnection().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async openConnection(): Promise<void> {
    this.session?.close();
    this.session = undefined;
    this.sessionUnavailable = false;
    this.link?.dispose();
    this.link = undefined;
    this.ssh = undefined;
    const link = await openSshLink(this.server, this.config);
    const ssh = link.target;
    const client = connectionOf(ssh);
    // node-ssh stops listening for errors once connected; an unheard 'error' would end the process.
    client.on('error', () => {
      this.dropped = true;
    });
    client.on('close', () => {
      this.dropped = true;
    });
    client.on('end', () => {
      this.dropped = true;
    });
    this.link = link;
    this.ssh = ssh;
    this.dropped = false;
    await this.idleSession();
  }

  /**
   * The command session when it can take a command now: opened on first need (and again after
   * one was lost), undefined while it runs another command or when the host cannot run one.
   */
  private async idleSession(): Promise<SshCommandSession | undefined> {
    if (this.session?.idle) return this.session;
    if (this.session?.lost === undefined && this.session !== undefined) return undefined;
    const client = this.ssh?.connection ?? undefined;
    if (this.sessionUnavailable || client === undefined || this.dropped) return undefined;
    this.openingSession ??= SshCommandSession.open(client, this.config.connectTimeoutMs)
      .then(
        (session) => {
          this.session = session;
          return session;
        },
        () => {
          this.sessionUnavailable = true;
          return undefined;
        },
      )
      .finally(() => {
        this.openingSession = undefined;
      });
    const session = await this.openingSession;
    return session?.idle ? session : undefined;
  }

  async exec(command: string, options: ExecOptions): Promise<CommandResult> {
    if (options.signal?.aborted) throw options.signal.reason;
    if (this.dropped) await this.connect();
    const first = await this.execOnce(command, options);
    if (first.kind === 'done') return first.result;
    if (first.kind === 'not-started') {
      await this.connect();
      const second = await this.execOnce(command, options);
      if (second.kind === 'done') return second.result;
      throw this.dropError(second.kind === 'not-started' ? second.error : undefined);
    }
    // Dropped while running: only a command that may run twice is run again.
    if (!options.idempotent) return first.result;
    await this.connect();
    const again = await this.execOnce(command, options);
    if (again.kind === 'not-started') throw this.dropError(again.error);
    return again.result;
  }

  async close(): Promise<void> {
    this.session?.close();
    this.session = undefined;
    this.dropped = true;
    this.link?.dispose();
    this.link = undefined;
    this.ssh = undefined;
  }

  /** One attempt: in the command session when it is free, else on an exec channel of its own. */
  private async execOnce(command: string, options: ExecOptions): Promise<ExecAttempt> {
    const session = await this.idleSession();
    // Checked again after the await: another command may have taken the session meanwhile.
    return session?.idle
      ? this.execInSession(session, command, options)
      : this.execOnChannel(command, options);
  }

  /**
   * Runs the command in the session. On timeout (or abort) its process group is ended as on a
   * channel; the session answers once the group exits, and is left busy (so later commands take
   * channels) when something the group left behind still holds it.
   */
  private async execInSession(
    session: SshCommandSession,
    command: string,
    options: ExecOptions,
  ): Promise<ExecAttempt> {
    const client = connectionOf(this.ssh as NodeSSH);
    const output = new CommandOutput(this.config.maxOutputBytes);
    let pgid: number | undefined;
    let stopping: 'timeout' | 'abort' | undefined;
    let giveUp: (() => void) | undefined;
    const gaveUp = new Promise<'gave-up'>((resolve) => {
      giveUp = () => resolve('gave-up');
    });
    const graceMs = this.config.killGraceMs ?? 5_000;
    const stop = (why: 'timeout' | 'abort'): void => {
      if (stopping !== undefined) return;
      stopping = why;
      if (pgid !== undefined) void this.endProcessGroup(client, pgid);
      setTimeout(() => giveUp?.(), graceMs + 10_000).unref();
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = (): void => stop('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const running = session.run(command, output, (group) => {
      pgid = group;
      if (stopping !== undefined) void this.endProcessGroup(client, group);
    });
    const outcome = await Promise.race([running, gaveUp]);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (stopping === 'timeout') {
      throw new CommandTimeoutError(this.server.host, options.timeoutMs, output.result(null));
    }
    if (stopping === 'abort') throw options.signal?.reason;
    if (outcome === 'gave-up' || outcome.kind === 'dropped')
      return { kind: 'dropped', result: output.result(null) };
    if (outcome.kind === 'not-started') return { kind: 'not-started', error: undefined };
    return { kind: 'done', result: output.result(outcome.exitCode) };
  }

  private execOnChannel(command: string, options: ExecOptions): Promise<ExecAttempt> {
    const client = this.ssh === undefined ? undefined : connectionOf(this.ssh);
    const output = new CommandOutput(this.config.maxOutputBytes);
    const { stdout, stderr } = output;
    const resultWith = (exitCode: number | null): CommandResult => output.result(exitCode);

    return new Promise<ExecAttempt>((resolve, reject) => {
      if (client === undefined || this.dropped) {
        resolve({ kind: 'not-started', error: undefined });
        return;
      }
      client.exec(wrapWithProcessGroupReport(command), (error, channel) => {
        if (error) {
          resolve({ kind: 'not-started', error });
          return;
        }
        let exitCode: number | null | undefined;
        let stopping: 'timeout' | 'abort' | undefined;
        let settled = false;
        let drainTimer: NodeJS.Timeout | undefined;

        const stop = (why: 'timeout' | 'abort'): void => {
          if (stopping !== undefined || settled) return;
          stopping = why;
          terminate(channel);
          // sshd holds the channel open until the command exits, so the command's process group is
          // ended from a second channel; the caller hears back once that is done.
          const pgid = marker.pgid;
          const ended = pgid === undefined ? Promise.resolve() : this.endProcessGroup(client, pgid);
          void ended.then(() => finish(true));
        };
        const onClientClose = (): void => finish();
        const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
        const onAbort = (): void => stop('abort');
        options.signal?.addEventListener('abort', onAbort, { once: true });

        const finish = (fromStop = false): void => {
          if (settled || (stopping !== undefined && !fromStop)) return;
          settled = true;
          client.removeListener('close', onClientClose);
          clearTimeout(timer);
          clearTimeout(drainTimer);
          options.signal?.removeEventListener('abort', onAbort);
          if (stopping === 'timeout') {
            reject(new CommandTimeoutError(this.server.host, options.timeoutMs, resultWith(null)));
          } else if (stopping === 'abort') {
            reject(options.signal?.reason);
          } else if (exitCode === undefined) {
            // Closed without an exit status: the connection (or sshd) went away mid-command.
            resolve({ kind: 'dropped', result: resultWith(null) });
          } else {
            resolve({ kind: 'done', result: resultWith(exitCode ?? null) });
          }
        };

        channel.on('data', (chunk: Buffer) => stdout.push(chunk));
        const marker = new ProcessGroupMarkerReader((chunk) => stderr.push(chunk));
        channel.stderr.on('data', (chunk: Buffer) => marker.push(chunk));
        channel.stderr.on('end', () => marker.flush());
        channel.on('exit', (code: number | null) => {
          // A signal-killed command reports (null, signalName): no exit status of its own.
          exitCode = typeof code === 'number' ? code : null;
          clearTimeout(timer);
          drainTimer = setTimeout(() => {
            channel.close();
            finish();
          }, CHANNEL_DRAIN_MS);
        });
        channel.on('close', () => {
          marker.flush();
          finish();
        });
        // The connection can drop without the channel ever closing.
        client.once('close', onClientClose);
      });
    });
  }

  /** Ends a timed-out command's process group on the host (database processes spared); never throws. */
  private endProcessGroup(client: Client, pgid: number): Promise<void> {
    const graceMs = this.config.killGraceMs ?? 5_000;
    const script = terminateProcessGroupScript(pgid, DATABASE_PROCESS_NAMES, graceMs / 1000);
    return new Promise<void>((resolve) => {
      const limit = setTimeout(resolve, graceMs + 10_000);
      const done = (): void => {
        clearTimeout(limit);
        resolve();
      };
      try {
        client.exec(script, (error, channel) => {
          if (error) {
            done();
            return;
          }
          channel.resume();
          channel.stderr.resume();
          channel.on('close', done);
        });
      } catch {
        done();
      }
    });
  }

  private dropError(cause: unknown): TransportError {
    return new TransportError(
      this.server.host,
      `ssh connection to ${this.where} dropped${cause === undefined ? '' : `: ${errorMessage(cause)}`}`,
      { cause },
    );
  }
}

type ExecAttempt =
  | { readonly kind: 'done'; readonly result: CommandResult }
  | { readonly kind: 'dropped'; readonly result: CommandResult }
  | { readonly kind: 'not-started'; readonly error: unknown };

function connectionOf(ssh: NodeSSH): Client {
  if (ssh.connection === null) throw new Error('node-ssh reported ready without a connection');
  return ssh.connection;
}

function terminate(channel: ClientChannel): void {
  try {
    channel.signal('TERM');
  } catch {
    // The channel may already be closing.
  }
  channel.close();
}
