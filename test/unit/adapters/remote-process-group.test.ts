import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ProcessGroupMarkerReader,
  terminateProcessGroupScript,
  wrapWithProcessGroupReport,
} from '../../../src/adapters/ssh/remote-process-group.js';

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function read(chunks: readonly string[]): { reader: ProcessGroupMarkerReader; forwarded: () => string } {
  const out: Buffer[] = [];
  const reader = new ProcessGroupMarkerReader((chunk) => out.push(chunk));
  for (const chunk of chunks) reader.push(Buffer.from(chunk));
  reader.flush();
  return { reader, forwarded: () => Buffer.concat(out).toString() };
}

describe('the process-group wrapper', () => {
  it('runs the command as written and reports its shell’s pid first on stderr', () => {
    const command = `printf '%s|' "it's" $((1+2)); echo oops >&2; exit 5`;
    const result = spawnSync('/bin/sh', ['-c', wrapWithProcessGroupReport(command)], { encoding: 'utf8' });
    expect(result.status).toBe(5);
    expect(result.stdout).toBe("it's|3|");
    const { reader, forwarded } = read([result.stderr]);
    expect(reader.pgid).toBeGreaterThan(1);
    expect(forwarded()).toBe('oops\n');
  });

  it('reads the marker even when it arrives in pieces', () => {
    const { reader, forwarded } = read(['\u001edbwave-', 'pgid=4242', '\nwarn', 'ing\n']);
    expect(reader.pgid).toBe(4242);
    expect(forwarded()).toBe('warning\n');
  });

  it('passes a stderr without the marker on untouched', () => {
    const { reader, forwarded } = read(['plain error\n', 'more\n']);
    expect(reader.pgid).toBeUndefined();
    expect(forwarded()).toBe('plain error\nmore\n');
  });
});

describe('terminateProcessGroupScript', () => {
  it('ends every process of the group but a database server', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dbwave-pgroup-'));
    copyFileSync('/bin/sleep', join(folder, 'mariadbd'));
    // A new session, as sshd gives each command: the shell's pid is the group of what it starts.
    const leader = spawn(
      'setsid',
      ['/bin/sh', '-c', `sleep 300 & ${join(folder, 'mariadbd')} 300 & echo $$ $!; wait`],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const line = await new Promise<string>((resolve) =>
      leader.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))),
    );
    const [pgid, mariadbd] = line.trim().split(' ').map(Number);
    if (pgid === undefined || mariadbd === undefined) throw new Error(`unexpected: ${line}`);
    try {
      const result = spawnSync('/bin/sh', ['-c', terminateProcessGroupScript(pgid, ['mariadbd'], 2)], {
        encoding: 'utf8',
      });
      expect(result.status).toBe(0);
      expect(isAlive(pgid)).toBe(false);
      expect(isAlive(mariadbd)).toBe(true);
    } finally {
      process.kill(mariadbd, 'SIGKILL');
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
