import { createConnection } from 'mysql2/promise';
import { NodeSSH } from 'node-ssh';
import { knownKeys } from '../../test/integration/fleet/fleet-fixture.js';
import type { FleetManifest, FleetServer } from '../fleet/manifest.js';

/**
 * The baseline dbwave's 503 window is measured against: what a DBA's plain script does for one
 * server, and nothing more — the same clean shutdown (innodb_fast_shutdown=0, as dbwave sets it),
 * stop, wait for the exit, switch the package, start, wait until it answers, post-upgrade. One SSH
 * connection, polling every 100 ms, no journal, no checks.
 */

const POLL_MS = 100;

export type BareDirection = 'upgrade' | 'rollback';

export async function bareUpgrade(
  fleet: FleetManifest,
  server: FleetServer,
  direction: BareDirection,
): Promise<number> {
  const keys = knownKeys(fleet.ssh.knownHosts, server.host, server.sshPort);
  const ssh = new NodeSSH();
  await ssh.connect({
    host: server.host,
    port: server.sshPort,
    username: fleet.ssh.user,
    privateKeyPath: fleet.ssh.identity,
    hostVerifier: (key: Buffer) => keys.some((known) => known.equals(key)),
  });
  const run = async (subcommand: string): Promise<number | null> =>
    (await ssh.execCommand(`${server.fleetctl} ${subcommand}`)).code;
  try {
    const started = performance.now();
    await slowShutdownNext(fleet, server);
    await mustSucceed(run('stop'), 'stop');
    while ((await run('running')) === 0) await sleep(POLL_MS);
    await mustSucceed(run(direction), direction);
    await mustSucceed(run('start'), 'start');
    await waitUntilAnswers(fleet, server);
    if (direction === 'upgrade') await mustSucceed(run('post-upgrade'), 'post-upgrade');
    return performance.now() - started;
  } finally {
    ssh.dispose();
  }
}

async function mustSucceed(result: Promise<number | null>, what: string): Promise<void> {
  const code = await result;
  if (code !== 0) throw new Error(`bare script: ${what} exited ${code}`);
}

/** innodb_fast_shutdown=0: the full purge and flush a major upgrade needs, as dbwave does it. */
async function slowShutdownNext(fleet: FleetManifest, server: FleetServer): Promise<void> {
  const connection = await createConnection({
    host: server.host,
    port: server.port,
    user: fleet.mysql.user,
    password: fleet.mysql.password,
    connectTimeout: 1000,
  });
  try {
    await connection.query('SET GLOBAL innodb_fast_shutdown = 0');
  } finally {
    await connection.end();
  }
}

async function waitUntilAnswers(fleet: FleetManifest, server: FleetServer): Promise<void> {
  for (;;) {
    try {
      const connection = await createConnection({
        host: server.host,
        port: server.port,
        user: fleet.mysql.user,
        password: fleet.mysql.password,
        connectTimeout: 1000,
      });
      await connection.query('SELECT 1');
      await connection.end();
      return;
    } catch {
      await sleep(POLL_MS);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
