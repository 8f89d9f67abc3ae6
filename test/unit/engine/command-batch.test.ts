import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalShell } from '../../../src/adapters/local/local-shell.js';
import { TransportError } from '../../../src/core/errors.js';
import { batchScript, parseBatchOutput } from '../../../src/engine/host-commands/command-batch.js';
import { ShellHostCommands } from '../../../src/engine/host-commands/shell-host-commands.js';
import type { RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import type { CommandOutputEntry } from '../../../src/engine/ports/server-connectors.js';
import { templateVariables } from '../../../src/model/command-template.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { FakeClock } from './fakes/fake-clock.js';
import { fakeServer } from './fakes/fake-fleet.js';

const NONCE = '0123456789abcdef';
/** The shutdown's hard limit a blocking stop is given, far from commands.timeout. */
const HARD_LIMIT_MS = 3_600_000;

/** A shell that counts its round trips: what the batching is for. */
class CountingShell implements RemoteShell {
  execs = 0;
  readonly timeouts: number[] = [];
  constructor(private readonly inner: RemoteShell) {}
  exec(command: string, options: Parameters<RemoteShell['exec']>[1]) {
    this.execs += 1;
    this.timeouts.push(options.timeoutMs);
    return this.inner.exec(command, options);
  }
  close() {
    return this.inner.close();
  }
}

describe("a step's host commands in one round trip, run by a real /bin/sh", () => {
  let directory: string;
  let pidFile: string;
  let switched: string;
  let errorLog: string;
  let saved: CommandOutputEntry[];
  let shell: CountingShell;
  let commands: ShellHostCommands;

  function hostCommands(
    remote: RemoteShell,
    maxOutputBytes = 65_536,
    stop = 'rm -f {{vars.pidFile}}; echo stopping',
  ): ShellHostCommands {
    const server = fakeServer('db1', {
      transport: 'local',
      errorLog,
      dataDir: directory,
      vars: { pidFile, switched },
    });
    const campaign = fakeCampaign({
      commands: {
        stop,
        start: 'true',
        running: 'test -e {{vars.pidFile}}',
        installedVersion: 'cat {{vars.switched}} 2>/dev/null || echo 10.11.18 # the old build',
        upgrade: `printf '\\036%s 0 0 - -\\n' ${NONCE}; echo " 10.11.19 " > {{vars.switched}}`,
        rollback: 'echo "no such package" >&2; exit 5',
        maxOutputBytes,
      },
    });
    if (!campaign.commands) throw new Error('the campaign has commands');
    return new ShellHostCommands({
      server,
      templates: campaign.commands,
      variables: templateVariables(server, campaign),
      campaignFile: 'waves/test.yaml',
      shell: async () => remote,
      output: { save: async (entry) => void saved.push(entry) },
      clock: new FakeClock(),
    });
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "dbwave-batch's-"));
    pidFile = join(directory, 'mysqld.pid');
    switched = join(directory, 'switched');
    errorLog = join(directory, 'error.log');
    writeFileSync(pidFile, '1');
    writeFileSync(errorLog, 'old line\n');
    saved = [];
    shell = new CountingShell(new LocalShell({ label: 'db1', maxOutputBytes: 65_536, killGraceMs: 1_000 }));
    commands = hostCommands(shell);
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('refuses a package switch while mysqld runs: the switch never runs', async () => {
    expect(await commands.switchPackage('upgrade', 'upgrade')).toEqual({ running: true });
    expect(existsSync(switched)).toBe(false);
    expect(shell.execs).toBe(1);
    expect(saved.map((entry) => [entry.label, entry.exitCode])).toEqual([['running', 0]]);
  });

  it('switches, then reads the version, each output and exit kept on its own', async () => {
    unlinkSync(pidFile);
    // The switch prints a line that looks like a batch header with a guessed nonce: it stays its output.
    expect(await commands.switchPackage('upgrade', 'upgrade')).toEqual({
      running: false,
      installedVersion: '10.11.19',
    });
    expect(shell.execs).toBe(1);
    expect(saved.map((entry) => [entry.step, entry.label, entry.exitCode])).toEqual([
      ['upgrade', 'running', 1],
      ['upgrade', 'upgrade', 0],
      ['upgrade', 'installedVersion', 0],
    ]);
    expect(saved[1]?.stdout).toBe(`\x1e${NONCE} 0 0 - -\n`);
    expect(saved[2]?.stdout).toBe(' 10.11.19 \n');
  });

  it('throws a failed switch with what it said, and reads no version after it', async () => {
    unlinkSync(pidFile);
    await expect(commands.switchPackage('rollback-package', 'rollback')).rejects.toThrow(
      'db1: rollback failed (exit 5): no such package',
    );
    expect(saved.map((entry) => entry.label)).toEqual(['running', 'rollback']);
  });

  it('stops and sees the exit with the error log since the offset, in one round trip', async () => {
    writeFileSync(errorLog, 'old line\nmariadbd: Shutdown complete\n');
    const stopped = await commands.stopAndWatch(
      'shutdown',
      errorLog,
      9,
      65_536,
      { rounds: 5, everyS: 0.05 },
      HARD_LIMIT_MS,
    );
    expect(stopped.stop.exitCode).toBe(0);
    expect(stopped.stop.stdout).toBe('stopping\n');
    expect(stopped.watch).toEqual({
      running: false,
      tail: { size: 37, start: 9, rotated: false, text: 'mariadbd: Shutdown complete\n' },
    });
    expect(shell.execs).toBe(1);
  });

  it("cuts the stop's batch at the hard limit plus the watch's own timeout, not commands.timeout twice", async () => {
    await commands.stopAndWatch('shutdown', errorLog, 0, 65_536, { rounds: 1, everyS: 0.05 }, HARD_LIMIT_MS);
    const commandTimeout = fakeCampaign().commands?.timeout;
    if (commandTimeout === undefined) throw new Error('the campaign has commands');
    expect(shell.timeouts).toEqual([HARD_LIMIT_MS + commandTimeout]);
  });

  it('does not watch after a stop that failed', async () => {
    const failing = hostCommands(shell, 65_536, 'echo "permission denied" >&2; exit 1');
    const stopped = await failing.stopAndWatch(
      'shutdown',
      errorLog,
      0,
      65_536,
      { rounds: 1, everyS: 0.05 },
      HARD_LIMIT_MS,
    );
    expect(stopped.watch).toBeUndefined();
    expect(stopped.stop).toMatchObject({ exitCode: 1, stderr: 'permission denied\n' });
  });

  it('reads whether mysqld runs and the log size together', async () => {
    expect(await commands.runningAndErrorLogSize('rollback-shutdown', errorLog)).toEqual({
      running: true,
      errorLogSize: 9,
    });
    unlinkSync(pidFile);
    unlinkSync(errorLog);
    expect(await commands.runningAndErrorLogSize('rollback-shutdown', errorLog)).toEqual({
      running: false,
      errorLogSize: undefined,
    });
    expect(shell.execs).toBe(2);
  });

  it("reads no more of the log than the watch's share of the answer, so its headers stay whole", async () => {
    const small = hostCommands(shell, 4_096);
    writeFileSync(errorLog, `old line\n${'x'.repeat(20_000)}\nmariadbd: Shutdown complete\n`);
    const stopped = await small.stopAndWatch(
      'shutdown',
      errorLog,
      9,
      65_536,
      { rounds: 5, everyS: 0.05 },
      HARD_LIMIT_MS,
    );
    expect(stopped.stop.exitCode).toBe(0);
    const tail = stopped.watch?.running === false ? stopped.watch.tail : undefined;
    // Partial: the step sees the log gained more than this and reads it on its own.
    expect(tail?.size).toBe(20_038);
    expect(tail?.text.length).toBeLessThan(1_024);
  });

  it('keeps the tail of a command that prints more than its share, the answer whole', async () => {
    const small = hostCommands(shell, 4_096, `head -c 10000 /dev/zero | tr '\\0' y; echo; echo stopping`);
    const stopped = await small.stopAndWatch(
      'shutdown',
      errorLog,
      9,
      65_536,
      { rounds: 1, everyS: 0.05 },
      HARD_LIMIT_MS,
    );
    expect(stopped.stop.stdout.endsWith('y\nstopping\n')).toBe(true);
    expect(stopped.stop.stdout.length).toBeLessThan(1_024);
  });

  it('answers a batch the host never finished (a lost session) as a transport failure', async () => {
    const lost: RemoteShell = {
      exec: async () => ({ exitCode: null, stdout: '', stderr: '', durationMs: 5 }),
      close: async () => undefined,
    };
    await expect(hostCommands(lost).switchPackage('upgrade', 'upgrade')).rejects.toBeInstanceOf(
      TransportError,
    );
    expect(saved.map((entry) => entry.label)).toEqual(['running+upgrade+installedVersion']);
  });
});

describe('reading a batch answer back', () => {
  const entries = [
    { label: 'a', line: 'true' },
    { label: 'b', line: 'true', after: 'success' as const },
  ];

  it('gives each command its stdout, stderr and exit, and undefined for one that did not run', () => {
    const answer = `\x1e${NONCE} 0 3 - -\nout\n\x1e${NONCE}\nerr\n\x1e${NONCE}\n\x1e${NONCE} end\n`;
    expect(parseBatchOutput(answer, entries, NONCE)).toEqual([
      { exitCode: 3, stdout: 'out', stderr: 'err', durationMs: 0 },
      undefined,
    ]);
  });

  it('is no answer without its end: a cut output says nothing of what ran', () => {
    const cut = `\x1e${NONCE} 0 0 - -\nout\n\x1e${NONCE}\n`;
    expect(parseBatchOutput(cut, entries, NONCE)).toBeUndefined();
    expect(parseBatchOutput('', entries, NONCE)).toBeUndefined();
    expect(
      parseBatchOutput(`\x1e${NONCE} 7 0 - -\n\n\x1e${NONCE}\n\n\x1e${NONCE}\n`, entries, NONCE),
    ).toBeUndefined();
  });

  it('refuses a nonce that could be mistaken for shell', () => {
    expect(() => batchScript(entries, "x'; rm -rf /", 100)).toThrow(TypeError);
  });
});
