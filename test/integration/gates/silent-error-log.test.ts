import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CampaignAdapters, campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { errorLogSizeCommand, parseErrorLogSize } from '../../../src/engine/host-commands/error-log-size.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import type { GateRunContext } from '../../../src/gates/probes/gate-run-context.js';
import { runReadinessGates } from '../../../src/gates/probes/readiness-gates.js';
import { type Inventory, loadInventory } from '../../../src/inventory/load-inventory.js';
import { serverResolver } from '../../../src/model/resolve-server.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { cleanShutdown, loadFleet, resetServer, server, startAndWait } from '../fleet/fleet-fixture.js';

/**
 * The error-log gate on a real restart of a fleet server, through dbwave's own adapters: the log
 * mariadbd writes to announces the start ("ready for connections" and the version), and a path
 * that points at a file that gets no new lines (a stale errorLog in the inventory, a server that
 * logs elsewhere) is silent, which is never a pass.
 */

const fleet = loadFleet();
const target = fleet.servers[0];
if (target === undefined) throw new Error('the fleet has no server');
const silentFile = join(target.home, 'silent-error.log');
let inventory: Inventory;
let adapters: CampaignAdapters;
let resolved: ResolvedServer;

async function sizeOf(shell: RemoteShell, file: string): Promise<number> {
  const size = parseErrorLogSize(await shell.exec(errorLogSizeCommand(file), { timeoutMs: 10_000 }));
  if (size === undefined) throw new Error(`no size for ${file}`);
  return size;
}

beforeAll(async () => {
  await resetServer(fleet, server(fleet, target.name));
  inventory = await loadInventory(fleet.campaign);
  adapters = await campaignAdapters({ campaign: inventory.campaign, campaignFile: inventory.campaignFile });
  const found = serverResolver(inventory.classes, inventory.campaign).resolve(target.name);
  if (found === undefined) throw new Error(`${target.name} is not in the fleet's campaign`);
  resolved = found;
});

afterAll(async () => {
  await adapters?.close();
  await rm(silentFile, { force: true });
  await resetServer(fleet, server(fleet, target.name));
});

describe('the error-log gate after a real restart', () => {
  it('passes the log mariadbd writes to and says the log is silent when the path gets no new lines', async () => {
    // An old log nobody writes to any more: it even holds an older start of the same version.
    await writeFile(
      silentFile,
      `2026-01-05  3:00:00 0 [Note] /usr/sbin/mariadbd: ready for connections.\nVersion: '${fleet.versions.from}-MariaDB-0+deb12u1-log'  socket: ''  port: 3306  Debian 12\n`,
    );
    const shell = await adapters.connectors.shell(resolved);
    const offsets = { real: await sizeOf(shell, target.errorLog), silent: await sizeOf(shell, silentFile) };

    await cleanShutdown(fleet, target);
    await startAndWait(fleet, target);

    const context = async (errorLogFile: string, errorLogOffset: number): Promise<GateRunContext> => ({
      session: await adapters.connectors.sql(resolved),
      shell,
      clock: systemClock,
      server: resolved,
      expectedVersion: fleet.versions.from,
      errorLogFile,
      errorLogOffset,
      gates: inventory.campaign.gates,
    });
    const errorLogVerdict = async (gateContext: GateRunContext) => {
      try {
        return (await runReadinessGates(gateContext)).find((verdict) => verdict.gate === 'error-log');
      } finally {
        await gateContext.session.close();
      }
    };

    const real = await errorLogVerdict(await context(target.errorLog, offsets.real));
    expect(real?.verdict, real?.evidence).toBe('pass');
    expect(real?.evidence).toContain(`ready for connections as ${fleet.versions.from}-MariaDB`);

    const silent = await errorLogVerdict(await context(silentFile, offsets.silent));
    expect(silent).toMatchObject({ verdict: 'inconclusive' });
    expect(silent?.evidence).toMatch(/^the log is silent: no line in .*silent-error\.log since this start/);

    const failing = await errorLogVerdict({
      ...(await context(silentFile, offsets.silent)),
      gates: { ...inventory.campaign.gates, silentErrorLog: 'fail' },
    });
    expect(failing?.verdict).toBe('fail');
  });
});
