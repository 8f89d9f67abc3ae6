import type { Client, ClientChannel } from 'ssh2';
import { shellQuote } from '../../model/shell-quote.js';
import type { CommandOutput } from '../shell/command-output.js';
import { type SessionFrame, SessionFrameReader } from './command-session-frames.js';

/**
 * One persistent shell per host that runs a server's commands one after another, so a command
 * costs a write and a read on an open channel instead of an SSH exec channel of its own (a
 * channel request, a login shell and its teardown: 0.15-1 s each on a busy machine, several per
 * step inside the 503 window).
 *
 * Each command still runs on its own, as it did on its own channel: in the user's login shell
 * (`$SHELL -c`), stdin from /dev/null, in a process group of its own (`setsid`, what a timeout
 * ends), its stdout and stderr in files of the session that come back length-prefixed with its
 * exit status (command-session-frames.ts). A daemon the command starts keeps only those files,
 * never the session's stream. The session shell exits at the end of its stdin and removes its
 * files; a channel that closes, or a stream that breaks its framing, marks the session lost at
 * once and answers the command in flight as dropped.
 */

/**
 * The session shell: the user's login shell reading its stdin, so it starts as sshd would start
 * a command's shell (a bash run by sshd reads ~/.bashrc) once per session, and the commands,
 * which it starts as children, inherit that environment without starting it again. A login
 * shell that cannot run the script below never prints "ready": the host gets exec channels.
 */
const SESSION_SHELL = `exec "\${SHELL:-/bin/sh}" -s`;

/**
 * The session shell's own script, sent on its stdin before any command. A command's shell is the
 * session's child and gets a shell level above it (`SHLVL`): bash, seeing SSH_CLIENT, would
 * otherwise take itself for the top-level shell of an SSH command and read ~/.bashrc again for
 * every command (a second on a host whose ~/.bashrc runs `pyenv init`), which the session has
 * already read once.
 */
const SESSION_SCRIPT = `command -v setsid >/dev/null 2>&1 || exit 97
dbwave_dir=$(mktemp -d "\${TMPDIR:-/tmp}/dbwave-session.XXXXXX") || exit 98
trap 'rm -rf "$dbwave_dir"' EXIT
trap 'exit 129' HUP TERM
dbwave_level=$((\${SHLVL:-0} + 1))
dbwave_run() {
  SHLVL=$dbwave_level setsid "\${SHELL:-/bin/sh}" -c "$2" </dev/null >"$dbwave_dir/$1.o" 2>"$dbwave_dir/$1.e" &
  dbwave_pid=$!
  printf '\\036P %s %s\\n' "$1" "$dbwave_pid"
  wait "$dbwave_pid"
  dbwave_exit=$?
  dbwave_out=$(($(wc -c <"$dbwave_dir/$1.o")))
  dbwave_err=$(($(wc -c <"$dbwave_dir/$1.e")))
  printf '\\036R %s %s %s %s\\n' "$1" "$dbwave_exit" "$dbwave_out" "$dbwave_err"
  head -c "$dbwave_out" "$dbwave_dir/$1.o"
  head -c "$dbwave_err" "$dbwave_dir/$1.e"
  rm -f "$dbwave_dir/$1.o" "$dbwave_dir/$1.e"
}
printf '\\036S ready\\n'
`;

/** How one command in the session ended. */
export type SessionRunOutcome =
  /** It exited; `output` holds what it printed. */
  | { readonly kind: 'exited'; readonly exitCode: number }
  /** The session was lost (or busy) before the command was handed over: it never ran. */
  | { readonly kind: 'not-started' }
  /** The session was lost once the command was handed over: it may have run, its exit status is unknown. */
  | { readonly kind: 'dropped' };

interface InFlight {
  readonly id: number;
  readonly output: CommandOutput;
  readonly onStarted: (pgid: number) => void;
  readonly settle: (outcome: SessionRunOutcome) => void;
}

export class SshCommandSession {
  private readonly reader = new SessionFrameReader();
  private inFlight: InFlight | undefined;
  private nextId = 1;
  private lostBecause: string | undefined;
  private onReady: ((error?: Error) => void) | undefined;

  private constructor(private readonly channel: ClientChannel) {}

  /**
   * Opens the session on a connected client; rejects when the host cannot run one (no `setsid`,
   * no temporary directory) or it is not ready within `readyTimeoutMs`.
   */
  static open(client: Client, readyTimeoutMs: number): Promise<SshCommandSession> {
    return new Promise<SshCommandSession>((resolve, reject) => {
      client.exec(SESSION_SHELL, (error, channel) => {
        if (error) {
          reject(error);
          return;
        }
        const session = new SshCommandSession(channel);
        const timer = setTimeout(() => {
          session.lose('not ready in time');
          channel.close();
        }, readyTimeoutMs);
        session.onReady = (failure) => {
          clearTimeout(timer);
          session.onReady = undefined;
          if (failure) reject(failure);
          else resolve(session);
        };
        session.listen();
        channel.write(SESSION_SCRIPT);
      });
    });
  }

  /** Open and not running a command: the next command can be handed to it now. */
  get idle(): boolean {
    return this.lostBecause === undefined && this.inFlight === undefined;
  }

  /** Why the session is gone, or undefined while it is open. */
  get lost(): string | undefined {
    return this.lostBecause;
  }

  /**
   * Runs one command line; `output` collects what it prints. `onStarted` hears its process
   * group once it runs. Only one command at a time: the caller checks {@link idle} first. The
   * promise settles when the command exits or the session is lost, never on a timeout: the
   * caller ends the process group, and the exit that follows settles it.
   */
  run(command: string, output: CommandOutput, onStarted: (pgid: number) => void): Promise<SessionRunOutcome> {
    if (!this.idle) return Promise.resolve({ kind: 'not-started' });
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<SessionRunOutcome>((settle) => {
      this.inFlight = { id, output, onStarted, settle };
      this.channel.write(`dbwave_run ${id} ${shellQuote(command)}\n`);
    });
  }

  /** Ends the session: its shell reads the end of its stdin, exits and removes its files. */
  close(): void {
    this.lose('closed');
    try {
      this.channel.end();
    } catch {
      // The channel may already be gone.
    }
  }

  private listen(): void {
    this.channel.on('data', (chunk: Buffer) => {
      let frames: SessionFrame[];
      try {
        frames = this.reader.push(chunk);
      } catch (error) {
        this.lose(error instanceof Error ? error.message : String(error));
        this.channel.close();
        return;
      }
      for (const frame of frames) this.receive(frame);
    });
    // The session shell prints nothing on stderr of its own; it is drained so it never blocks.
    this.channel.stderr.resume();
    this.channel.on('exit', (code: number | null) => this.lose(`session shell exited (${code})`));
    this.channel.on('close', () => this.lose('session channel closed'));
  }

  private receive(frame: SessionFrame): void {
    if (frame.kind === 'ready') {
      this.onReady?.();
      return;
    }
    const current = this.inFlight;
    if (current === undefined || frame.id !== current.id) {
      this.lose(`session answered for command ${frame.id}, not the one in flight`);
      this.channel.close();
      return;
    }
    if (frame.kind === 'started') {
      current.onStarted(frame.pgid);
      return;
    }
    current.output.stdout.push(frame.stdout);
    current.output.stderr.push(frame.stderr);
    this.inFlight = undefined;
    current.settle({ kind: 'exited', exitCode: frame.exitCode });
  }

  /** Marks the session lost (once) and answers the command in flight. */
  private lose(reason: string): void {
    if (this.lostBecause !== undefined) return;
    this.lostBecause = reason;
    this.onReady?.(new Error(`command session: ${reason}`));
    const current = this.inFlight;
    this.inFlight = undefined;
    current?.settle({ kind: 'dropped' });
  }
}
