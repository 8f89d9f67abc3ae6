import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshShell } from '../../../src/adapters/ssh/ssh-shell.js';
import { TransportError } from '../../../src/core/errors.js';
import { ShellHostCommands } from '../../../src/engine/host-commands/shell-host-commands.js';
import type { CommandResult, ExecOptions, RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import type { CommandOutputEntry } from '../../../src/engine/ports/server-connectors.js';
import type { CommandTemplates } from '../../../src/model/campaign-schema.js';
import { templateVariables } from '../../../src/model/command-template.js';
import { shutdownLimits } from '../../../src/model/shutdown-limits.js';
import { resetServer, sql } from '../fleet/fleet-fixture.js';
import { fleetCampaign, fleetServer, fleetSshConfig, loadFleet, resolvedServer } from './adapter-fixture.js';

const fleet = loadFleet();
const campaign = fleetCampaign(fleet);
// The last server: in no replication pair, so stopping it troubles no other test's server.
const target = fleetServer(fleet, -1);
const server = resolvedServer(target);
const LOG_BYTES = 1_048_576;
/** A blocking stop lasts the whole shutdown: it gets the campaign's hard limit, as the step gives it. */
const STOP_TIMEOUT_MS = shutdownLimits(campaign).hardLimitMs;

/** The real SSH shell, its commands counted: one `exec` is one round trip to the host. */
class CountedShell implements RemoteShell {
  execs = 0;
  constructor(readonly inner: SshShell) {}
  exec(command: string, options: ExecOptions): Promise<CommandResult> {
    this.execs += 1;
    return this.inner.exec(command, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function hostCommands(shell: RemoteShell, saved: CommandOutputEntry[], templates?: CommandTemplates) {
  if (campaign.commands === undefined) throw new Error(`${fleet.campaign} has no commands`);
  return new ShellHostCommands({
    server,
    templates: templates ?? campaign.commands,
    variables: templateVariables(server, campaign),
    campaignFile: fleet.campaign,
    shell: async () => shell,
    output: { save: async (entry) => void saved.push(entry) },
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  });
}

describe("a step's host commands in one round trip, over SSH on the fleet", () => {
  let shell: CountedShell;
  const saved: CommandOutputEntry[] = [];
  beforeAll(async () => {
    await resetServer(fleet, target);
    shell = new CountedShell(await connectSsh(server, fleetSshConfig(fleet)));
  }, 120_000);
  afterAll(async () => {
    await shell?.close();
    await resetServer(fleet, target);
  }, 180_000);

  it('shuts down, switches and reads the version: one round trip a step, each command answered on its own', async () => {
    const commands = hostCommands(shell, saved);
    // mysqld runs: the host's own check refuses the switch before it happens.
    expect(await commands.switchPackage('upgrade', 'upgrade')).toEqual({ running: true });
    expect(shell.execs).toBe(1);
    expect(saved.map((entry) => [entry.label, entry.exitCode])).toEqual([['running', 0]]);

    const connection = await sql(fleet, target);
    await connection.query('SET GLOBAL innodb_fast_shutdown = 0');
    connection.destroy();
    const offset = (await commands.errorLogSize('window-open', target.errorLog)) ?? 0;
    const stopped = await commands.stopAndWatch(
      'shutdown',
      target.errorLog,
      offset,
      LOG_BYTES,
      { rounds: 600, everyS: 0.1 },
      STOP_TIMEOUT_MS,
    );
    expect(stopped.stop.exitCode).toBe(0);
    expect(stopped.stop.stdout).toMatch(/shutdown initiated/);
    expect(stopped.watch?.running).toBe(false);
    const tail = stopped.watch?.running === false ? stopped.watch.tail : undefined;
    expect(tail?.start).toBe(offset);
    expect(tail?.text).toMatch(/: Shutdown complete\s*$/m);

    expect(await commands.switchPackage('upgrade', 'upgrade')).toEqual({
      running: false,
      installedVersion: fleet.versions.to,
    });
    expect(await commands.runningAndErrorLogSize('rollback-shutdown', target.errorLog)).toEqual({
      running: false,
      errorLogSize: tail?.size,
    });
    // window-open's read, then one round trip for each of the four steps' batches.
    expect(shell.execs).toBe(5);
    expect(saved.map((entry) => [entry.step, entry.label, entry.exitCode])).toEqual([
      ['upgrade', 'running', 0],
      ['window-open', 'error-log-size', 0],
      ['shutdown', 'stop', 0],
      ['shutdown', 'running-or-error-log', 0],
      ['upgrade', 'running', 1],
      ['upgrade', 'upgrade', 0],
      ['upgrade', 'installedVersion', 0],
      ['rollback-shutdown', 'running', 1],
      ['rollback-shutdown', 'error-log-size', 0],
    ]);
    expect(saved.find((entry) => entry.label === 'upgrade')?.stdout).toMatch(/switched to/);
  }, 180_000);

  it('answers a batch whose session was lost as a transport failure', async () => {
    const templates = campaign.commands;
    if (templates === undefined) throw new Error('no commands');
    const own = await connectSsh(server, fleetSshConfig(fleet));
    const slow = hostCommands(own, [], { ...templates, running: `sleep 30; ${templates.running}` });
    const look = slow.runningAndErrorLogSize('rollback-shutdown', target.errorLog);
    setTimeout(() => void own.close(), 500);
    await expect(look).rejects.toBeInstanceOf(TransportError);
  }, 60_000);
});
