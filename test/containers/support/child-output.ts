import type { ChildProcess } from 'node:child_process';

/** How a child process ended and everything it printed. */
export interface ChildOutput {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Collects a spawned child's stdout and stderr (spawned with both piped) until it closes.
 * `onStderr` also sees each chunk as it comes, for a script whose progress should show live.
 */
export function childOutput(child: ChildProcess, onStderr?: (chunk: Buffer) => void): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(chunk);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}
