import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ServerReport, WaveReport } from '../../../src/report/wave-report.js';
import { EXAMPLE_DIR } from './campaign-commands.js';
import { type ChildOutput, childOutput } from './child-output.js';
import type { ExampleServer } from './container-fixture.js';
import { REPO_ROOT } from './docker-environment.js';

/**
 * The example class and campaign rewritten for this run's containers (their ports, host
 * directories, images and password), and dbwave's own CLI run on them, as a DBA would run it.
 */

export interface CampaignVersions {
  readonly from: { readonly version: string; readonly package: string };
  readonly to: { readonly version: string; readonly package: string };
}

export interface WrittenCampaign {
  readonly campaignFile: string;
  readonly planFile: string;
  readonly stateDir: string;
}

/** One server entry of a class file, as a DBA writes it. */
export type ClassServerEntry = Readonly<Record<string, string | number>>;

/** An example's files and what this run changes in them. */
export interface CampaignFiles {
  /** The example campaign, relative to examples/containers. */
  readonly campaign: string;
  /** Its class file, relative to examples/containers. */
  readonly hardwareClass: string;
  /** The class's servers: this run's hosts. */
  readonly servers: readonly ClassServerEntry[];
  /** Class vars replaced (e.g. containerctl made absolute). */
  readonly vars?: Readonly<Record<string, string>>;
  readonly versions: CampaignVersions;
  /** Top-level keys of the campaign replaced (e.g. a single wave). */
  readonly changes?: Readonly<Record<string, unknown>>;
}

/**
 * Writes the example's class (under `hardware-classes/`) and campaign under `directory`, for
 * this run's hosts, versions and password; the state goes to `state/` beside them.
 */
export async function writeCampaign(directory: string, files: CampaignFiles): Promise<WrittenCampaign> {
  const classPath = join(EXAMPLE_DIR, files.hardwareClass);
  const hardwareClass = parse(await readFile(classPath, 'utf8')) as Record<string, unknown>;
  const classDocument = {
    ...hardwareClass,
    vars: { ...(hardwareClass.vars as Record<string, string> | undefined), ...files.vars },
    servers: files.servers,
  };
  const campaign = parse(await readFile(join(EXAMPLE_DIR, files.campaign), 'utf8')) as Record<
    string,
    unknown
  >;
  const campaignDocument = {
    ...campaign,
    fleet: 'hardware-classes',
    from: files.versions.from,
    to: files.versions.to,
    stateDir: 'state',
    ...files.changes,
  };

  await mkdir(join(directory, 'hardware-classes'), { recursive: true });
  await writeFile(join(directory, 'hardware-classes', basename(classPath)), stringify(classDocument));
  const campaignFile = join(directory, 'campaign.yaml');
  await writeFile(campaignFile, stringify(campaignDocument));
  return {
    campaignFile,
    planFile: join(directory, 'campaign.plan.yaml'),
    stateDir: join(directory, 'state'),
  };
}

/** A containerized host as the docker classes list it: its published port and host paths. */
export function containerServerEntry({ host }: ExampleServer): ClassServerEntry {
  return {
    name: host.name,
    host: '127.0.0.1',
    port: host.port,
    shard: `shard-${host.name}`,
    dataDir: host.dataDir,
    errorLog: host.errorLog,
  };
}

/**
 * Writes `hardware-classes/docker-mariadb.yaml` and `campaign.yaml` (or the example `campaign`
 * names) under `directory`; `changes` replace top-level keys of the example campaign (e.g. a
 * single wave).
 */
export function writeExampleCampaign(
  directory: string,
  servers: readonly ExampleServer[],
  versions: CampaignVersions,
  changes: Readonly<Record<string, unknown>> = {},
  campaign = 'campaign.yaml',
): Promise<WrittenCampaign> {
  return writeCampaign(directory, {
    campaign,
    hardwareClass: join('hardware-classes', 'docker-mariadb.yaml'),
    servers: servers.map(containerServerEntry),
    vars: { containerctl: join(EXAMPLE_DIR, 'mariadb-container.sh') },
    versions,
    changes,
  });
}

export type CliResult = ChildOutput;

/** `dbwave ARGS...` from the sources, with the campaign's SQL password in its environment. */
export function runDbwave(args: readonly string[], mysqlPassword: string): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, DBWAVE_MYSQL_PASSWORD: mysqlPassword },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return childOutput(child);
}

/** Like runDbwave, but any exit status but `expected` is an error that shows dbwave's output. */
export async function runDbwaveExpecting(
  expected: number,
  args: readonly string[],
  mysqlPassword: string,
): Promise<CliResult> {
  const result = await runDbwave(args, mysqlPassword);
  if (result.exitCode !== expected) {
    throw new Error(
      `dbwave ${args.join(' ')} exited ${result.exitCode}, expected ${expected}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** `dbwave status PLAN --wave N --json`: the wave's report, as on-call reads it. */
export async function waveReport(planFile: string, wave: number, mysqlPassword: string): Promise<WaveReport> {
  const status = await runDbwaveExpecting(
    0,
    ['status', planFile, '--wave', String(wave), '--json'],
    mysqlPassword,
  );
  return (JSON.parse(status.stdout) as { readonly report: WaveReport }).report;
}

/** One server's entry of a wave report. */
export function serverReport(report: WaveReport, name: string): ServerReport {
  const server = report.servers.find((entry) => entry.name === name);
  if (server === undefined) throw new Error(`wave ${report.wave}'s report has no server ${name}`);
  return server;
}
