import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
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

/**
 * Writes `hardware-classes/docker-mariadb.yaml` and `campaign.yaml` under `directory`; `changes`
 * replace top-level keys of the example campaign (e.g. a single wave).
 */
export async function writeExampleCampaign(
  directory: string,
  servers: readonly ExampleServer[],
  versions: CampaignVersions,
  changes: Readonly<Record<string, unknown>> = {},
): Promise<WrittenCampaign> {
  const classText = await readFile(join(EXAMPLE_DIR, 'hardware-classes', 'docker-mariadb.yaml'), 'utf8');
  const hardwareClass = parse(classText) as Record<string, unknown>;
  const containerctl = join(EXAMPLE_DIR, 'mariadb-container.sh');
  const classDocument = {
    ...hardwareClass,
    vars: { ...(hardwareClass.vars as Record<string, string>), containerctl },
    servers: servers.map(({ host }) => ({
      name: host.name,
      host: '127.0.0.1',
      port: host.port,
      shard: `shard-${host.name}`,
      dataDir: host.dataDir,
      errorLog: host.errorLog,
    })),
  };
  const campaign = parse(await readFile(join(EXAMPLE_DIR, 'campaign.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const campaignDocument = {
    ...campaign,
    from: versions.from,
    to: versions.to,
    stateDir: 'state',
    ...changes,
  };

  await mkdir(join(directory, 'hardware-classes'), { recursive: true });
  await writeFile(join(directory, 'hardware-classes', 'docker-mariadb.yaml'), stringify(classDocument));
  const campaignFile = join(directory, 'campaign.yaml');
  await writeFile(campaignFile, stringify(campaignDocument));
  return {
    campaignFile,
    planFile: join(directory, 'campaign.plan.yaml'),
    stateDir: join(directory, 'state'),
  };
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
