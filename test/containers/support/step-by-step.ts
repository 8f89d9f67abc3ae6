import type { Campaign } from '../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { runCampaignCommand, runCampaignCommandOk } from './campaign-commands.js';
import type { ContainerHost } from './container-host.js';
import { connectTo, withConnection } from './table-rows.js';

/**
 * The engine's per-server path, done by hand with the example campaign's commands: what dbwave
 * does over SQL (innodb_fast_shutdown=0, waiting until the server answers) plus each command in
 * the order the engine runs them. It proves the commands on real containers independently of
 * the engine.
 */

const POLL_MS = 250;

/** Polls until `check` holds; the limit only guards against a hang, it is not an assertion. */
export async function waitUntil(what: string, check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function isRunning(campaign: Campaign, server: ResolvedServer): Promise<boolean> {
  return (await runCampaignCommand(campaign, 'running', server)).exitCode === 0;
}

async function answers(host: ContainerHost): Promise<boolean> {
  try {
    const connection = await connectTo(host);
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

/** innodb_fast_shutdown=0 over SQL, then the stop command, then wait for the container to exit. */
export async function stopCleanly(
  campaign: Campaign,
  server: ResolvedServer,
  host: ContainerHost,
  limitMs = 600_000,
): Promise<void> {
  await withConnection(host, (connection) => connection.query('SET GLOBAL innodb_fast_shutdown = 0'));
  await runCampaignCommandOk(campaign, 'stop', server);
  await waitUntil(`${server.name} has stopped`, async () => !(await isRunning(campaign, server)), limitMs);
}

export async function startAndWait(
  campaign: Campaign,
  server: ResolvedServer,
  host: ContainerHost,
): Promise<void> {
  await runCampaignCommandOk(campaign, 'start', server);
  await waitUntil(`${server.name} answers SQL`, () => answers(host), 120_000);
}

/** stop -> upgrade -> start -> post-upgrade; returns installedVersion afterwards. */
export async function upgradeStepByStep(
  campaign: Campaign,
  server: ResolvedServer,
  host: ContainerHost,
): Promise<string> {
  await stopCleanly(campaign, server, host);
  await runCampaignCommandOk(campaign, 'upgrade', server);
  await startAndWait(campaign, server, host);
  await runCampaignCommandOk(campaign, 'postUpgrade', server);
  return runCampaignCommandOk(campaign, 'installedVersion', server);
}

/** stop -> rollback -> start; returns installedVersion afterwards. */
export async function rollbackStepByStep(
  campaign: Campaign,
  server: ResolvedServer,
  host: ContainerHost,
): Promise<string> {
  if (await isRunning(campaign, server)) await stopCleanly(campaign, server, host);
  await runCampaignCommandOk(campaign, 'rollback', server);
  await startAndWait(campaign, server, host);
  return runCampaignCommandOk(campaign, 'installedVersion', server);
}
