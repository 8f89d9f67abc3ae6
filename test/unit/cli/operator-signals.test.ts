import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_SIGNALS, onOperatorSignals } from '../../../src/cli/operator-signals.js';
import { CORPUS } from './bad-input-case.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the operator signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s halts first, interrupts on the second signal, and sets exit status %i',
    async (signal, status) => {
      const calls: string[] = [];
      const handling = onOperatorSignals(
        (why) => calls.push(`first: ${why}`),
        (why, count) => calls.push(`again ${count}: ${why}`),
      );
      try {
        // Signals arrive asynchronously: each is sent once the previous one was handled.
        const sequence = [signal, 'SIGINT', signal] as const;
        for (const [index, sent] of sequence.entries()) {
          process.kill(process.pid, sent);
          await until(() => calls.length === index + 1);
        }
      } finally {
        handling.release();
      }
      expect(calls).toEqual([
        `first: ${OPERATOR_SIGNALS[signal].why}`,
        'again 2: Ctrl-C',
        `again 3: ${OPERATOR_SIGNALS[signal].why}`,
      ]);
      expect(handling.exitStatus()).toBe(status);
    },
  );

  it('leaves the exit status to the run after Ctrl-C', async () => {
    const handling = onOperatorSignals(
      () => undefined,
      () => undefined,
    );
    let handled = false;
    const marker = (): void => {
      handled = true;
    };
    process.on('SIGINT', marker);
    process.kill(process.pid, 'SIGINT');
    await until(() => handled);
    process.off('SIGINT', marker);
    handling.release();
    expect(handling.exitStatus()).toBeUndefined();
  });
});

describe('a real dbwave process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbwave-signals-'));
    await cp(join(CORPUS, 'base'), dir, { recursive: true });
    const planned = spawnSync(
      process.execPath,
      ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), 'plan', 'campaign.yaml'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(planned.status, planned.stderr).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    'stops `status --every` on %s and exits %i without a stack trace',
    async (signal, status) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          TSX,
          join(ROOT, 'src', 'cli', 'main.ts'),
          'status',
          'lab-upgrade.plan.yaml',
          '--every',
          '1h',
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // The first status is printed at once: the loop is waiting for its next turn now.
      await new Promise<void>((resolve) => {
        const check = (): void => (stdout.length > 0 ? resolve() : void setTimeout(check, 50));
        check();
      });
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, stderr).toBe(status);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    60_000,
  );
});
