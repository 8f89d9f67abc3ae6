/**
 * Where a server's commands run: over SSH on the host (node-ssh adapter) or on the machine
 * running dbwave (`transport: local`). The engine only ever hands it a fully rendered,
 * shell-quoted command line.
 */
export interface CommandResult {
  /** Exit status; null when the command was killed or the connection dropped. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface ExecOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * The command may safely run twice (a probe such as `running` or `installedVersion`): when the
   * connection drops while it runs, the shell reconnects once and runs it again instead of
   * answering `exitCode: null`.
   */
  readonly idempotent?: boolean;
}

export interface RemoteShell {
  exec(command: string, options: ExecOptions): Promise<CommandResult>;
  close(): Promise<void>;
}
