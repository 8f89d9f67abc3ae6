import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CampaignAdapters, campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { errorLogSizeCommand, parseErrorLogSize } from '../../../src/engine/host-commands/error-log-size.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import { resolveErrorLogPath } from '../../../src/gates/probes/error-log-probe.js';
import type { GateRunContext } from '../../../src/gates/probes/gate-run-context.js';
import { runReadinessGates } from '../../../src/gates/probes/readiness-gates.js';
import { waitForReplicationCatchUp } from '../../../src/gates/probes/replication-probe.js';
import { replicationCaughtUpGate } from '../../../src/gates/replication-caught-up-gate.js';
import type { Inventory } from '../../../src/inventory/load-inventory.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { serverResolver } from '../../../src/model/resolve-server.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { shellQuote } from '../../../src/model/shell-quote.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

/**
 * The gate probes through dbwave's own adapters (SSH with checked host keys, mysql2), against
 * the fleet as it runs: every server passes its readiness gates on the version it runs now, and
 * the replica is running and caught up. Nothing is changed on the fleet.
 */

const fleet = loadFleet();
let inventory: Inventory;
let adapters: CampaignAdapters;
let servers: readonly ResolvedServer[];

beforeAll(async () => {
  inventory = await loadInventory(fleet.campaign);
  adapters = await campaignAdapters({ campaign: inventory.campaign, campaignFile: inventory.campaignFile });
  servers = serverResolver(inventory.classes, inventory.campaign).all();
});

afterAll(async () => {
  await adapters?.close();
});

async function gateContext(server: ResolvedServer, expectedVersion: string): Promise<GateRunContext> {
  const session = await adapters.connectors.sql(server);
  const shell = await adapters.connectors.shell(server);
  const errorLogFile = await resolveErrorLogPath(session, server.errorLog);
  if (errorLogFile === undefined) throw new Error(`${server.name} logs nowhere readable`);
  return {
    session,
    shell,
    clock: systemClock,
    server,
    expectedVersion,
    errorLogFile,
    // From the server's latest start, as the engine takes it (the log's size just before the
    // start): the lines since then must announce that start, or the log is silent.
    errorLogOffset: await latestStartOffset(shell, errorLogFile),
    gates: inventory.campaign.gates,
  };
}

/** Where the server's latest run begins in its error log ("Starting MariaDB"), else its size. */
async function latestStartOffset(shell: RemoteShell, file: string): Promise<number> {
  const found = await shell.exec(`grep -b 'Starting MariaDB' ${shellQuote(file)} | tail -n 1 | cut -d: -f1`, {
    timeoutMs: 10_000,
  });
  const offset = Number.parseInt(found.stdout.trim(), 10);
  if (Number.isInteger(offset)) return offset;
  return parseErrorLogSize(await shell.exec(errorLogSizeCommand(file), { timeoutMs: 10_000 })) ?? 0;
}

describe('the readiness gates through the real adapters', () => {
  it('pass every fleet server on the version it runs, and tell the time they take', async () => {
    for (const server of servers) {
      const context = await gateContext(server, fleet.versions.from);
      try {
        const verdicts = await runReadinessGates(context);
        const summary = verdicts.map((verdict) => `${verdict.gate}:${verdict.verdict}`);
        // A server an earlier suite upgraded runs the newer build: the version gate says so, nothing else fails.
        const version = verdicts.find((verdict) => verdict.gate === 'version');
        if (version?.verdict === 'fail') {
          expect(version.evidence).toContain(fleet.versions.to);
        }
        expect(
          verdicts.filter((verdict) => verdict.gate !== 'version').map((verdict) => verdict.verdict),
          `${server.name}: ${summary.join(' ')}`,
        ).toEqual(verdicts.filter((verdict) => verdict.gate !== 'version').map(() => 'pass'));
        const totalMs = verdicts.reduce((sum, verdict) => sum + verdict.durationMs, 0);
        console.log(`${server.name}: ${summary.join(' ')} in ${Math.round(totalMs)}ms`);
      } finally {
        await context.session.close();
      }
    }
  });

  it('see the replica caught up with its primary', async () => {
    const replica = servers.find((server) => server.role === 'replica');
    if (!replica) return;
    const session = await adapters.connectors.sql(replica);
    try {
      const seen = await waitForReplicationCatchUp(session, {
        clock: systemClock,
        timeoutMs: 60_000,
        maxLagSeconds: 1,
      });
      expect(replicationCaughtUpGate(seen, 'replica')).toMatchObject({ verdict: 'pass' });
    } finally {
      await session.close();
    }
  });
});
