import { execFile } from 'node:child_process';

/**
 * Runs system binaries for the fleet: always an argument array, never a shell string, so that
 * paths with spaces or quotes cannot turn into commands.
 */

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  readonly input?: string;
}

/** Runs a command and resolves with its output and exit code, whatever the code. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // Not an exit status: the binary is missing, or the timeout killed it.
          const reason = error.killed ? `timed out after ${options.timeoutMs ?? 600_000} ms` : error.message;
          reject(new Error(`${command} ${args.join(' ')}: ${reason}`, { cause: error }));
          return;
        }
        resolve({ stdout, stderr, code: error && typeof error.code === 'number' ? error.code : 0 });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command and throws, with its stderr, unless it exits 0. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}${detail ? `:\n${detail}` : ''}`);
  }
  return result.stdout;
}
