import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalShell } from '../../../src/adapters/local/local-shell.js';
import { ShellHostCommands } from '../../../src/engine/host-commands/shell-host-commands.js';
import { discardOutput } from '../../../src/engine/ports/server-connectors.js';
import { templateVariables } from '../../../src/model/command-template.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';

/**
 * The host-side watch of `running` (ShellHostCommands.runningOrErrorLog), run by a real /bin/sh:
 * the command line is shell, so only a shell can say it works. `running` here is "a pid file
 * exists", which the test removes as mysqld would at its exit.
 */
describe('watching for the exit on the host', () => {
  let directory: string;
  let pidFile: string;
  let errorLog: string;
  let commands: ShellHostCommands;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'dbwave-watch-'));
    pidFile = join(directory, "mysqld's.pid");
    errorLog = join(directory, 'error.log');
    writeFileSync(pidFile, '1');
    writeFileSync(errorLog, 'old line\n');
    const server = fakeServer('db1', { transport: 'local', errorLog, vars: { pidFile } });
    const campaign = fakeCampaign();
    commands = new ShellHostCommands({
      server,
      templates: { ...campaign.commands, running: 'test -e {{vars.pidFile}}' } as never,
      variables: templateVariables(server, campaign),
      campaignFile: 'waves/test.yaml',
      shell: async () => new LocalShell({ label: 'db1', maxOutputBytes: 65_536, killGraceMs: 1_000 }),
      output: discardOutput,
      clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('answers "running" after its rounds while the process runs', async () => {
    const watch = await commands.runningOrErrorLog('shutdown', errorLog, 0, 65_536, {
      rounds: 3,
      everyS: 0.05,
    });
    expect(watch).toEqual({ running: true });
  });

  it('answers "exited" with the error log since the offset once the process is gone mid-watch', async () => {
    const offset = Buffer.byteLength('old line\n');
    setTimeout(() => {
      writeFileSync(errorLog, 'old line\nmariadbd: Shutdown complete\n');
      unlinkSync(pidFile);
    }, 200);
    const watch = await commands.runningOrErrorLog('shutdown', errorLog, offset, 65_536, {
      rounds: 200,
      everyS: 0.05,
    });
    expect(watch.running).toBe(false);
    expect(watch.running === false ? watch.tail?.text : undefined).toBe('mariadbd: Shutdown complete\n');
  });
});
