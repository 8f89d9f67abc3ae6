import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, type ProcFiles, processStartOf } from '../../../src/engine/lock/process-liveness.js';

const BOOT = 'f46654a8-cf51-4416-83f6-6e29b80520dc';

/** A /proc tree: stat lines as Linux writes them (proc(5)), fields 3 (state) and 22 (start). */
function proc(processes: Record<number, { state: string; start: number; name?: string }>): ProcFiles {
  const stat = (pid: number, p: { state: string; start: number; name?: string }): string =>
    `${pid} (${p.name ?? 'node'}) ${p.state} 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 11 0 ${p.start} 1180000000 12000 18446744073709551615\n`;
  return {
    readText: (path) => {
      if (path === '/proc/sys/kernel/random/boot_id') return `${BOOT}\n`;
      if (path === '/proc/self/stat') return stat(1, { state: 'R', start: 1 });
      const pid = Number(/^\/proc\/(\d+)\/stat$/.exec(path)?.[1]);
      const found = processes[pid];
      return found === undefined ? undefined : stat(pid, found);
    },
  };
}

describe('whether the process that wrote a lock is alive', () => {
  it('records a start time that names the boot and the tick the process started', () => {
    expect(processStartOf(42, proc({ 42: { state: 'S', start: 1007818 } }))).toBe(`${BOOT}:1007818`);
    expect(processStartOf(43, proc({}))).toBeUndefined();
  });

  it('reads the fields after the name, which may hold spaces and parentheses', () => {
    const tree = proc({ 42: { state: 'Z', start: 77, name: 'a (b) c' } });
    expect(processStartOf(42, tree)).toBe(`${BOOT}:77`);
    expect(isProcessAlive(42, undefined, tree)).toBe(false);
  });

  it('says no for a gone pid and for a zombie, which signal 0 would call alive', () => {
    const tree = proc({ 42: { state: 'Z', start: 100 } });
    expect(isProcessAlive(42, undefined, tree)).toBe(false);
    expect(isProcessAlive(41, undefined, tree)).toBe(false);
  });

  it('says no for a pid reused by a process that started at another time', () => {
    const tree = proc({ 42: { state: 'S', start: 200 } });
    expect(isProcessAlive(42, `${BOOT}:100`, tree)).toBe(false);
    expect(isProcessAlive(42, `${BOOT}:200`, tree)).toBe(true);
    expect(isProcessAlive(42, `another-boot:200`, tree)).toBe(false);
  });

  it('says yes for a running process whose lock predates start times', () => {
    expect(isProcessAlive(42, undefined, proc({ 42: { state: 'S', start: 5 } }))).toBe(true);
  });

  it('says no for a real zombie, which signal 0 calls alive', async () => {
    // `sleep 0` exits at once, and its parent (exec'd into `sleep 5`) never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      await waitUntil(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '));
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isProcessAlive(zombie)).toBe(false);
    } finally {
      parent.kill();
    }
  });

  it('agrees with the real /proc about this very process', () => {
    const start = processStartOf(process.pid);
    expect(start).toMatch(/^[0-9a-f-]+:\d+$/);
    expect(isProcessAlive(process.pid, start)).toBe(true);
    expect(isProcessAlive(process.pid, `${start}0`)).toBe(false);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !condition(); tries += 1) await delay(20);
  expect(condition()).toBe(true);
}
