import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Campaign } from '../../src/model/campaign-schema.js';
import { loadExampleCampaign, runCampaignCommandOk } from './support/campaign-commands.js';
import { SHUTDOWN_BUDGET_SECONDS, useExampleServers } from './support/container-fixture.js';
import { inspectContainer, killContainer } from './support/container-host.js';
import { runDbwaveExpecting, type WrittenCampaign, writeExampleCampaign } from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import { versionOfImage } from './support/docker-environment.js';
import {
  endedWithCleanShutdown,
  readRuns,
  shutdownSeconds,
  startedWithCrashRecovery,
} from './support/error-log.js';
import { isRunning, startAndWait, waitUntil } from './support/step-by-step.js';
import {
  CHECK_DATABASE,
  connectTo,
  type RowDigest,
  rowDigest,
  seedRows,
  withConnection,
} from './support/table-rows.js';

/**
 * Rows of a transaction left open when dbwave stops the server: mariadbd rolls them back before
 * InnoDB shuts down, which takes long enough (past `docker stop`'s 10 s default on our machines)
 * that a runtime which cut shutdowns short would turn it into a crash.
 */
const LONG_TRANSACTION_ROWS = 3_000_000;

describeWithDocker('a slow clean shutdown of a containerized host', (environment) => {
  const toVersion = versionOfImage(environment.toImage);
  const fixture = useExampleServers(environment, 'shutdown', 1);
  let campaign: Campaign;
  let files: WrittenCampaign;
  let before: RowDigest;
  let holder: Connection | undefined;

  const only = () => {
    const [first] = fixture.servers;
    if (!first) throw new Error('no server');
    return first;
  };

  beforeAll(async () => {
    campaign = await loadExampleCampaign(environment);
    await seedRows(only().host, 5_000);
    before = await rowDigest(only().host);
    files = await writeExampleCampaign(
      fixture.directory(),
      fixture.servers,
      {
        from: { version: versionOfImage(environment.fromImage), package: environment.fromImage },
        to: { version: toVersion, package: environment.toImage },
      },
      {
        waves: [{ date: '2026-12-01', size: 'rest' }],
        // The transaction is open on purpose: the precheck's limit is raised past its age, and its
        // client (straight to the server, not through a proxy) is one the DBA knows about.
        prechecks: { maxTransactionAge: '30m', minFreeDiskMb: 100 },
        clients: { unexpected: 'continue' },
        // Left to the shutdown, the dirty pages of the open transaction make it slower still.
        preflush: { enabled: false },
      },
    );
    await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], fixture.password);
  });

  afterAll(() => holder?.destroy());

  it('gives the container a stop timeout as long as the shutdown budget', async () => {
    expect(Number(await inspectContainer(only().server.name, '{{.Config.StopTimeout}}'))).toBe(
      SHUTDOWN_BUDGET_SECONDS,
    );
  });

  it('waits out a shutdown behind a long open transaction to "Shutdown complete", then upgrades', async () => {
    const { host } = only();
    await withConnection(host, (connection) =>
      connection.query(
        `CREATE TABLE ${CHECK_DATABASE}.open_rows (id INT PRIMARY KEY, filler CHAR(100) NOT NULL) ENGINE=InnoDB`,
      ),
    );
    holder = await connectTo(host);
    // The server drops this connection when it shuts down; that is expected, not an error.
    holder.on('error', () => undefined);
    await holder.query('START TRANSACTION');
    await holder.query(
      `INSERT INTO ${CHECK_DATABASE}.open_rows SELECT seq, REPEAT('x', 100) FROM ${CHECK_DATABASE}.seq_1_to_${LONG_TRANSACTION_ROWS}`,
    );

    await runDbwaveExpecting(
      0,
      ['run', files.planFile, '--wave', '1', '--yes', '--ignore-date'],
      fixture.password,
    );

    const runs = await readRuns(host.errorLog);
    const oldRun = runs.at(-2) ?? '';
    console.log(
      `slow-shutdown: ${LONG_TRANSACTION_ROWS} uncommitted rows; the clean shutdown took ` +
        `${shutdownSeconds(oldRun)} s by the error log (docker stop's default would kill at 10 s)`,
    );
    expect(endedWithCleanShutdown(oldRun)).toBe(true);
    expect(startedWithCrashRecovery(runs.at(-1) ?? '')).toBe(false);
    expect(await runCampaignCommandOk(campaign, 'installedVersion', only().server)).toBe(toVersion);
  });

  it('rolled the open transaction back and kept every committed row', async () => {
    const [rows] = await withConnection(only().host, (connection) =>
      connection.query(`SELECT COUNT(*) AS count FROM ${CHECK_DATABASE}.open_rows`),
    );
    expect((rows as { count: number }[])[0]?.count).toBe(0);
    expect(await rowDigest(only().host)).toEqual(before);
  });

  it('would notice a crash: a SIGKILLed server starts with crash recovery', async () => {
    const { host, server } = only();
    await withConnection(host, (connection) =>
      connection.query(`INSERT INTO ${CHECK_DATABASE}.open_rows VALUES (1, 'committed before the kill')`),
    );
    await killContainer(server.name);
    await waitUntil(`${server.name} is gone`, async () => !(await isRunning(campaign, server)), 60_000);
    expect(endedWithCleanShutdown((await readRuns(host.errorLog)).at(-1) ?? '')).toBe(false);

    await startAndWait(campaign, server, host);
    expect(startedWithCrashRecovery((await readRuns(host.errorLog)).at(-1) ?? '')).toBe(true);
  });
});
