import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalShell } from '../../../src/adapters/local/local-shell.js';
import { ShellHostCommands } from '../../../src/engine/host-commands/shell-host-commands.js';
import type { CommandOutputEntry } from '../../../src/engine/ports/server-connectors.js';
import { templateVariables } from '../../../src/model/command-template.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { FakeClock } from './fakes/fake-clock.js';
import { fakeServer } from './fakes/fake-fleet.js';

/**
 * The host-commands port as shell lines, run by a real /bin/sh: the unit tests' fakes answer at
 * the port, so only a shell can say that these lines ask what the port promises.
 */
describe('the host commands as shell lines', () => {
  let directory: string;
  let errorLog: string;
  let saved: CommandOutputEntry[];
  let commands: ShellHostCommands;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "dbwave-host's-"));
    errorLog = join(directory, 'error.log');
    writeFileSync(errorLog, 'old line\n');
    saved = [];
    const server = fakeServer('db1', { transport: 'local', errorLog, dataDir: directory });
    const campaign = fakeCampaign({
      commands: {
        stop: 'echo stopping; echo "stop refused" >&2; exit 4',
        start: 'true',
        running: 'test -e {{errorLog}}',
        installedVersion: 'echo " 10.11.18 "',
        upgrade: 'true',
        rollback: 'true',
      },
    });
    if (!campaign.commands) throw new Error('the campaign has commands');
    commands = new ShellHostCommands({
      server,
      templates: campaign.commands,
      variables: templateVariables(server, campaign),
      campaignFile: 'waves/test.yaml',
      shell: async () => new LocalShell({ label: 'db1', maxOutputBytes: 65_536, killGraceMs: 1_000 }),
      output: { save: async (entry) => void saved.push(entry) },
      clock: new FakeClock(),
    });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('runs a template and answers how it exited, a non-zero exit thrown only when checked', async () => {
    expect((await commands.run('shutdown', 'stop')).exitCode).toBe(4);
    await expect(commands.runChecked('shutdown', 'stop')).rejects.toThrow(
      'db1: stop failed (exit 4): stop refused',
    );
    expect(saved.map((entry) => [entry.step, entry.label])).toEqual([
      ['shutdown', 'stop'],
      ['shutdown', 'stop'],
    ]);
  });

  it('knows which optional templates the campaign sets', () => {
    expect(commands.has('stop')).toBe(true);
    expect(commands.has('postUpgrade')).toBe(false);
  });

  it('reads the installed version trimmed and whether mysqld runs', async () => {
    expect(await commands.installedVersion('precheck')).toBe('10.11.18');
    expect(await commands.isRunning('precheck')).toBe(true);
    rmSync(errorLog);
    expect(await commands.isRunning('precheck')).toBe(false);
  });

  it('reads the error log: whether it can be read, its size, and what it gained since an offset', async () => {
    expect(await commands.errorLogAccess('precheck', errorLog)).toEqual({ readable: true });
    expect(await commands.errorLogSize('shutdown', errorLog)).toBe(9);
    writeFileSync(errorLog, 'old line\nmariadbd: Shutdown complete\n');
    expect(await commands.errorLogSince('shutdown', errorLog, 9, 65_536)).toEqual({
      size: 37,
      start: 9,
      rotated: false,
      text: 'mariadbd: Shutdown complete\n',
    });
    writeFileSync(errorLog, 'new\n');
    expect(await commands.errorLogSince('shutdown', errorLog, 9, 65_536)).toMatchObject({
      rotated: true,
      text: 'new\n',
    });
    expect(saved.map((entry) => entry.label)).toEqual([
      'error-log',
      'error-log-size',
      'error-log',
      'error-log',
    ]);
  });

  it('says why a missing error log cannot be read, and has no size for it', async () => {
    const missing = join(directory, 'missing.log');
    const access = await commands.errorLogAccess('precheck', missing);
    expect(access.readable).toBe(false);
    expect(access.readable === false ? access.reason : '').toMatch(/missing\.log/);
    expect(await commands.errorLogSize('start', missing)).toBeUndefined();
  });

  it('reads the free space of the datadir, or why it cannot', async () => {
    const free = await commands.diskFree('precheck', directory);
    expect(free.availableKb).toBeGreaterThan(0);
    const none = await commands.diskFree('precheck', join(directory, 'nowhere'));
    expect(none.availableKb).toBeUndefined();
    expect(saved.map((entry) => entry.command)).toEqual([
      `df -Pk -- '${directory.replace("'", "'\\''")}'`,
      `df -Pk -- '${directory.replace("'", "'\\''")}/nowhere'`,
    ]);
  });
});
