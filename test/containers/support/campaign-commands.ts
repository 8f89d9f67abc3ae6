import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Campaign, campaignSchema } from '../../../src/model/campaign-schema.js';
import {
  renderCommand,
  type TemplateCampaign,
  templateVariables,
} from '../../../src/model/command-template.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { type ChildOutput, childOutput } from './child-output.js';
import { type AvailableEnvironment, REPO_ROOT, versionOfImage } from './docker-environment.js';

/**
 * The example campaign's command templates (examples/containers/campaign.yaml), rendered by the
 * engine's own template code and run through a local shell, as `transport: local` runs them. The
 * tests use them to drive the documented commands themselves, step by step.
 */

export type CommandName =
  | 'stop'
  | 'start'
  | 'running'
  | 'installedVersion'
  | 'upgrade'
  | 'rollback'
  | 'postUpgrade';

export type ShellResult = ChildOutput;

export const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'containers');
const CAMPAIGN_FILE = join(EXAMPLE_DIR, 'campaign.yaml');

/**
 * The example campaign, upgrading between the two images this machine built (the example file
 * names today's two Debian builds; apt may offer newer ones tomorrow).
 */
export async function loadExampleCampaign(environment: AvailableEnvironment): Promise<Campaign> {
  const campaign = campaignSchema.parse(parse(await readFile(CAMPAIGN_FILE, 'utf8')));
  return {
    ...campaign,
    from: { version: versionOfImage(environment.fromImage), package: environment.fromImage },
    to: { version: versionOfImage(environment.toImage), package: environment.toImage },
  };
}

export function runShell(command: string): Promise<ShellResult> {
  return childOutput(
    spawn('/bin/sh', ['-c', command], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Runs one of the campaign's commands for a server. */
export async function runCampaignCommand(
  campaign: Campaign,
  name: CommandName,
  server: ResolvedServer,
): Promise<ShellResult> {
  const template = campaign.commands?.[name];
  if (template === undefined) throw new Error(`the example campaign has no ${name} command`);
  const source = { file: CAMPAIGN_FILE, key: `commands.${name}` };
  return runShell(renderCommand(template, templateVariables(server, campaign), source));
}

/** Like runCampaignCommand, but a non-zero exit is an error carrying the command's output. */
export async function runCampaignCommandOk(
  campaign: Campaign,
  name: CommandName,
  server: ResolvedServer,
): Promise<string> {
  return outputOf(await runCampaignCommand(campaign, name, server), name, server);
}

/** A command's trimmed stdout; a non-zero exit is an error carrying its output. */
function outputOf(result: ShellResult, name: string, server: ResolvedServer): string {
  if (result.exitCode !== 0) {
    throw new Error(`${name} on ${server.name} exited ${result.exitCode}: ${result.stderr || result.stdout}`);
  }
  return result.stdout.trim();
}

/**
 * Runs one command template of an example campaign file as written, without the campaign
 * schema: for keys a newer schema adds (a rolling restart's `configure`), so that the commands
 * themselves are proven on real containers whatever the engine accepts yet.
 */
export async function runExampleTemplate(
  exampleFile: string,
  key: string,
  server: ResolvedServer,
): Promise<ShellResult> {
  const file = join(EXAMPLE_DIR, exampleFile);
  const document = parse(await readFile(file, 'utf8')) as TemplateCampaign & {
    readonly commands?: Readonly<Record<string, string>>;
  };
  const template = document.commands?.[key];
  if (template === undefined) throw new Error(`${exampleFile} has no commands.${key}`);
  return runShell(
    renderCommand(template, templateVariables(server, document), { file, key: `commands.${key}` }),
  );
}

/** Like runExampleTemplate, but a non-zero exit is an error carrying the command's output. */
export async function runExampleTemplateOk(
  exampleFile: string,
  key: string,
  server: ResolvedServer,
): Promise<string> {
  return outputOf(await runExampleTemplate(exampleFile, key, server), key, server);
}
