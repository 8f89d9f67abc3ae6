import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Scalar, stringify } from 'yaml';
import type { FleetPaths } from './fleet-paths.js';
import { HARDWARE_CLASSES, type HostSpec } from './host-plan.js';
import type { MariadbBuilds } from './mariadb-packages.js';
import type { FleetStateStore } from './state-store.js';

/**
 * The fleet described in the planner's own formats: one hardware-class file per class and a
 * campaign from the older build to the newer one, whose commands drive the hosts over SSH
 * exactly as a DBA's would drive real ones. A DBA copies these to start their own campaign.
 */

export interface ClassFileInput {
  readonly hosts: readonly HostSpec[];
  readonly paths: FleetPaths;
  readonly sshPort: number;
}

export function hardwareClassDocuments(input: ClassFileInput): Map<string, Record<string, unknown>> {
  const documents = new Map<string, Record<string, unknown>>();
  for (const shape of HARDWARE_CLASSES) {
    const members = input.hosts.filter((host) => host.hardwareClass.id === shape.id);
    if (members.length === 0) continue;
    documents.set(shape.id, {
      id: shape.id,
      description: shape.description,
      datacenter: 'local',
      drives: shape.drives,
      transport: 'ssh',
      expected: { shutdown: { p50: '5s', p95: '30s' }, start: { p50: '3s', p95: '10s' } },
      servers: members.map((host) => {
        const paths = input.paths.host(host.name);
        return {
          name: host.name,
          host: host.address,
          port: host.mysqlPort,
          sshPort: input.sshPort,
          mdLayout: 'none',
          ...(host.cluster ? { cluster: host.cluster, role: host.role } : {}),
          shard: host.shard,
          dataDir: paths.dataDir,
          errorLog: paths.errorLog,
          vars: { fleetctl: paths.fleetctl },
        };
      }),
    });
  }
  return documents;
}

/**
 * Quoted in the YAML, so that no parser reads 10.11 as a number, 00:00 as sexagesimal or a date
 * as a timestamp.
 */
function quoted(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

function isoDay(date: Date): Scalar<string> {
  return quoted(date.toISOString().slice(0, 10));
}

export function campaignDocument(
  paths: FleetPaths,
  builds: MariadbBuilds,
  serverCount: number,
  today: Date,
  stateStore?: FleetStateStore,
): Record<string, unknown> {
  const tomorrow = new Date(today.getTime() + 24 * 3_600_000);
  const fromCampaign = (file: string): string => relative(paths.root, file);
  return {
    campaign: `fleet-${builds.to.version}`,
    fleet: fromCampaign(paths.classesDir),
    timezone: 'UTC',
    from: { version: quoted(builds.from.version) },
    to: { version: quoted(builds.to.version), package: `mariadb-server-core=${builds.to.debianVersion}` },
    window: { start: quoted('00:00'), end: quoted('23:59') },
    waves: [
      // A small first wave, like the source case's canary-sized first day; never the whole fleet.
      { date: isoDay(today), size: Math.max(1, Math.min(3, serverCount - 1)) },
      { date: isoDay(tomorrow), size: 'rest' },
    ],
    target503: '10m',
    shutdown: { budget: '60m' },
    prechecks: { maxTransactionAge: '60s', minFreeDiskMb: 100 },
    concurrency: { wave: 3, perClass: 1 },
    failureBudget: 1,
    // The lab runs its waves back to back (the demo, the tests, the bench): no soak points. A
    // production campaign keeps the default, +1h, +4h and +24h, each gating the next wave
    // (docs/soak.md); the soak's own tests set seconds.
    soak: { points: [] },
    // A lab fleet under `fleet load`: short sampling windows keep a wave to minutes. A production
    // campaign keeps the defaults (6 x 10 s after a 60 s warm-up).
    stats: { samples: 5, interval: '2s', warmup: '5s' },
    // Seconds of samples on a lab fleet often cannot settle an InnoDB shift: say so in the
    // journal and go on. A production campaign keeps the default, pause (a person decides).
    gates: { inconclusive: 'continue' },
    ssh: { user: 'root', identity: fromCampaign(paths.identity), knownHosts: fromCampaign(paths.knownHosts) },
    mysql: { user: 'dbwave', passwordFile: fromCampaign(paths.passwordFile) },
    maintenance: {
      adapter: 'haproxy',
      // The HA pair: both updated and verified, the window closed on both.
      sockets: paths.haproxyInstances.map((instance) => fromCampaign(instance.socket)),
      backend: '{{shard}}',
      server: '{{name}}',
    },
    // `up --state mysql`: journal, leases and claims in the fleet's state store, shared by runners.
    ...(stateStore === undefined
      ? {}
      : {
          state: {
            store: 'mysql',
            host: stateStore.host,
            port: stateStore.port,
            user: stateStore.user,
            passwordFile: fromCampaign(paths.stateStorePasswordFile),
            database: stateStore.database,
          },
        }),
    commands: {
      stop: '{{vars.fleetctl}} stop',
      start: '{{vars.fleetctl}} start',
      running: '{{vars.fleetctl}} running',
      installedVersion: '{{vars.fleetctl}} installed-version',
      upgrade: '{{vars.fleetctl}} upgrade',
      rollback: '{{vars.fleetctl}} rollback',
      postUpgrade: '{{vars.fleetctl}} post-upgrade',
    },
  };
}

export async function writeCampaignFiles(
  input: ClassFileInput,
  builds: MariadbBuilds,
  today: Date,
  stateStore?: FleetStateStore,
): Promise<void> {
  await mkdir(input.paths.classesDir, { recursive: true });
  for (const [id, document] of hardwareClassDocuments(input)) {
    await writeFile(join(input.paths.classesDir, `${id}.yaml`), stringify(document, { lineWidth: 0 }));
  }
  const campaign = campaignDocument(input.paths, builds, input.hosts.length, today, stateStore);
  await writeFile(input.paths.campaign, stringify(campaign, { lineWidth: 0 }));
}
