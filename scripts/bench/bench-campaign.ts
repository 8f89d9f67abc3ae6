import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../fleet/fleet-paths.js';
import type { FleetManifest } from '../fleet/manifest.js';

/**
 * A variant of the fleet's generated campaign for one bench run, written to a temp dir: only the
 * chosen servers, in one wave dated today, with the bench's concurrency and pre-flush settings,
 * its file paths made absolute. Then planned with `dbwave plan`.
 */

const run = promisify(execFile);

export interface CampaignVariant {
  /** Short name for the temp dir and the campaign id. */
  readonly name: string;
  readonly servers: readonly string[];
  readonly concurrency: number;
  readonly preflush: boolean;
  /** Pre-flush timeout (campaign duration text), so a write load that never lets it finish is bounded. */
  readonly preflushTimeout?: string;
  /** `preflush.ioCapacity`: what the datadir's disk sustains (the campaign default is 2000). */
  readonly preflushIoCapacity?: number;
}

export interface PlannedVariant {
  readonly dir: string;
  readonly campaignFile: string;
  readonly planFile: string;
}

type Yaml = Record<string, unknown>;

function absolute(base: string, path: unknown): unknown {
  return typeof path === 'string' && !isAbsolute(path) ? resolve(base, path) : path;
}

/**
 * Cluster and role are dropped from the copies: the bench measures how concurrency spreads a
 * wave, and the one replication pair would otherwise serialise two of its servers.
 */
async function writeClasses(sourceDir: string, targetDir: string, servers: readonly string[]): Promise<void> {
  await mkdir(targetDir, { recursive: true });
  for (const file of await readdir(sourceDir)) {
    if (!file.endsWith('.yaml')) continue;
    const hardwareClass = parse(await readFile(join(sourceDir, file), 'utf8')) as Yaml;
    const kept = (hardwareClass.servers as Yaml[])
      .filter((server) => servers.includes(String(server.name)))
      .map(({ cluster: _cluster, role: _role, ...server }) => server);
    if (kept.length === 0) continue;
    await writeFile(join(targetDir, file), stringify({ ...hardwareClass, servers: kept }));
  }
}

/** Writes the variant's campaign and classes to a new temp dir and plans it. */
export async function planVariant(fleet: FleetManifest, variant: CampaignVariant): Promise<PlannedVariant> {
  const source = fleet.campaign;
  const base = dirname(source);
  const campaign = parse(await readFile(source, 'utf8')) as Yaml;
  const dir = await mkdtemp(join(tmpdir(), `dbwave-bench-${variant.name}-`));
  const ssh = campaign.ssh as Yaml;
  const mysql = campaign.mysql as Yaml;
  const maintenance = campaign.maintenance as Yaml;
  const gates = (campaign.gates as Yaml | undefined) ?? {};
  await writeClasses(resolve(base, String(campaign.fleet)), join(dir, 'hardware-classes'), variant.servers);
  const today = new Date().toISOString().slice(0, 10);
  const edited: Yaml = {
    ...campaign,
    campaign: `bench-${variant.name}`,
    fleet: 'hardware-classes',
    waves: [{ date: today, size: 'rest' }],
    concurrency: { wave: variant.concurrency, perClass: variant.concurrency },
    failureBudget: 0,
    preflush: {
      enabled: variant.preflush,
      ...(variant.preflushTimeout === undefined ? {} : { timeout: variant.preflushTimeout }),
      ...(variant.preflushIoCapacity === undefined ? {} : { ioCapacity: variant.preflushIoCapacity }),
    },
    // Sampling for the analysis gates (after the window) kept short: a bench run would otherwise
    // spend minutes on baseline, warm-up and controls that none of its figures need. The readiness
    // gates, inside the window, run as they would on the day.
    stats: { samples: 2, interval: '1s', warmup: '1s', controls: 0 },
    gates: {
      ...gates,
      inconclusive: 'continue',
      // The InnoDB comparison needs minutes of sampling and a steady load to mean anything; the
      // bench's own heavy load makes it fail for reasons that are not the upgrade's.
      innodb: false,
      // With cluster and role dropped, db1 (primary) and db2 (its replica) may be in one window
      // together: the replica then logs that its primary is away, which is expected here.
      errorLogIgnore: [
        ...((gates.errorLogIgnore as string[] | undefined) ?? []),
        'Slave I/O: error (re)?connecting to master',
      ],
    },
    ssh: { ...ssh, identity: absolute(base, ssh.identity), knownHosts: absolute(base, ssh.knownHosts) },
    mysql: { ...mysql, passwordFile: absolute(base, mysql.passwordFile) },
    maintenance: {
      ...maintenance,
      socket: absolute(base, maintenance.socket),
      ...(Array.isArray(maintenance.sockets)
        ? { sockets: maintenance.sockets.map((socket: unknown) => absolute(base, socket)) }
        : {}),
    },
    // Cluster and role are dropped above on purpose: the servers' real topology (db2 replicates
    // from db1) would not match them, and the run would rightly refuse to start.
    topologyPrecheck: false,
  };
  const campaignFile = join(dir, 'campaign.yaml');
  const planFile = join(dir, 'campaign.plan.yaml');
  await writeFile(campaignFile, stringify(edited));
  await run('npx', ['tsx', 'src/cli/main.ts', 'plan', campaignFile, '--out', planFile], { cwd: REPO_ROOT });
  return { dir, campaignFile, planFile };
}
