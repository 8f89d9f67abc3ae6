import type { ClientChannel } from 'ssh2';
import { shellQuote } from '../../src/model/shell-quote.js';
import { sshConnect } from '../../test/integration/fleet/fleet-fixture.js';
import { haproxyCommand } from '../fleet/haproxy.js';
import type { FleetManifest, FleetServer } from '../fleet/manifest.js';

/**
 * The baseline dbwave's 503 window is measured against: what a DBA's plain script does for one
 * server, and nothing more, as ONE SSH exec of one shell script on the host (the login shell
 * starts once, before the window): `SET GLOBAL innodb_fast_shutdown=0` through the mariadb
 * client, then (window open) `fleetctl stop`, `fleetctl running` every 100 ms until the exit,
 * `fleetctl upgrade`, `fleetctl start`, the client's `SELECT 1` every 100 ms until it answers,
 * `fleetctl post-upgrade`; then the window closes. The same fleetctl verbs as the fleet
 * campaign's templates, no journal, no checks.
 *
 * The window is HAProxy's, opened and closed from this side as dbwave opens it (`set server
 * ... state maint|ready` on every instance's runtime API): the script prints `maint?` and waits
 * for a line on its stdin before the stop, and prints `ready?` once the server is upgraded.
 */

const POLL_S = 0.1;

export type BareDirection = 'upgrade' | 'rollback';

/** The plain script for one server, as the one command line of an SSH exec. */
export function bareScript(server: FleetServer, direction: BareDirection): string {
  const home = shellQuote(server.home);
  const fleetctl = shellQuote(server.fleetctl);
  return [
    'set -eu',
    `h=${home}; f=${fleetctl}`,
    'sql() { "$h/current/usr/bin/mariadb" --defaults-file="$h/client.cnf" -N -e "$1"; }',
    // A rollback of a stopped server has nothing to shut down slowly.
    `if "$f" running >/dev/null; then sql 'SET GLOBAL innodb_fast_shutdown = 0'; fi`,
    'echo "maint?"; read -r go',
    '"$f" stop >/dev/null',
    `while "$f" running >/dev/null; do sleep ${POLL_S}; done`,
    `"$f" ${direction} >/dev/null`,
    '"$f" start >/dev/null',
    `until sql 'SELECT 1' >/dev/null 2>&1; do sleep ${POLL_S}; done`,
    ...(direction === 'upgrade' ? ['"$f" post-upgrade >/dev/null'] : []),
    'echo "ready?"',
  ].join('\n');
}

export interface BareRun {
  /** `maint` set on every instance -> `ready` set on every instance, ms, as this side saw it. */
  readonly scriptWindowMs: number;
}

/**
 * Runs the plain script on the server. With `window` false (putting a server back between
 * trials) the script is not held at `maint?` and no window opens.
 */
export async function bareUpgrade(
  fleet: FleetManifest,
  server: FleetServer,
  direction: BareDirection,
  window = direction === 'upgrade',
): Promise<BareRun> {
  const ssh = await sshConnect(fleet, server);
  const setState = async (state: 'maint' | 'ready'): Promise<void> => {
    await Promise.all(
      fleet.haproxyInstances.map((instance) =>
        haproxyCommand(instance.socket, `set server ${server.shard}/${server.name} state ${state}`),
      ),
    );
  };
  try {
    const client = ssh.connection;
    if (client === null) throw new Error('bare script: no SSH connection');
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(bareScript(server, direction), (error: Error | undefined, opened: ClientChannel) =>
        error ? reject(error) : resolve(opened),
      ),
    );
    let opened: number | undefined;
    let closed: number | undefined;
    let stdout = '';
    let stderr = '';
    let handled = 0;
    let step: Promise<void> = Promise.resolve();
    channel.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    channel.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n').slice(0, -1);
      for (const line of lines.slice(handled)) {
        handled += 1;
        if (line === 'maint?') {
          step = step.then(async () => {
            if (window) await setState('maint');
            opened = performance.now();
            channel.write('go\n');
          });
        } else if (line === 'ready?') {
          step = step.then(async () => {
            if (window) await setState('ready');
            closed = performance.now();
          });
        }
      }
    });
    const exitCode = await new Promise<number | null>((resolve) => {
      channel.on('exit', (code: number | null) => resolve(code));
      channel.on('close', () => resolve(null));
    });
    await step;
    if (exitCode !== 0 || opened === undefined || closed === undefined) {
      throw new Error(`bare script on ${server.name} (${direction}) exited ${exitCode}: ${stderr.trim()}`);
    }
    return { scriptWindowMs: closed - opened };
  } finally {
    ssh.dispose();
    // A script that failed inside its window must not leave the shard in 503 for the next trial.
    if (window) await setState('ready').catch(() => undefined);
  }
}
