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
}

export interface RemoteShell {
  exec(command: string, options: ExecOptions): Promise<CommandResult>;
  close(): Promise<void>;
}
