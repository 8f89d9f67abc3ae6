import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../../scripts/fleet/fleet-paths.js';
import type { FleetManifest, FleetServer } from '../../../scripts/fleet/manifest.js';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { FileJournalStore } from '../../../src/engine/journal/file-journal-store.js';
import type { JournalRecord } from '../../../src/engine/journal/journal-record.js';
import { type JournalReplay, replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { loadFleet, resetServer, server } from '../fleet/fleet-fixture.js';

/**
 * What the engine's integration tests share: a campaign variant of the fleet's own campaign
 * (same hosts, keys and HAProxy, its own state dir), planned with `dbwave plan`, and the real
 * `dbwave` CLI run as a child process, so that SIGKILL and a second run are real too.
 */

export interface EngineCampaign {
  readonly fleet: FleetManifest;
  readonly campaignFile: string;
  readonly planFile: string;
  readonly stateDir: string;
  /** Wave 1's servers, in plan order. */
  readonly wave1: readonly FleetServer[];
}

function merge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return merged;
}

/** Writes `.fleet/engine-<name>.yaml` (the fleet's campaign with `overrides`) and plans it. */
export async function engineCampaign(
  name: string,
  overrides: Record<string, unknown> = {},
): Promise<EngineCampaign> {
  const fleet = loadFleet();
  const work = await mkdtemp(join(tmpdir(), `dbwave-engine-${name}-`));
  const stateDir = join(work, 'state');
  const base = parse(await readFile(fleet.campaign, 'utf8')) as Record<string, unknown>;
  const campaignFile = join(fleet.root, `engine-${name}.yaml`);
  // Since issue 5 `dbwave run` samples InnoDB before and after each server: keep it short here.
  // Two samples cannot settle an InnoDB shift either way, so an inconclusive verdict goes on:
  // these tests are about the step machine (test/integration/gates/ judges the gates).
  const quickStats = {
    stats: { samples: 2, interval: '1s', warmup: '1s' },
    gates: { inconclusive: 'continue' },
    // The fleet's faults are real clients on each host's socket (a long transaction), which the
    // run's precheck rightly finds outside the proxy: here they are the test's, so the run goes
    // on (test/integration/discover/ judges the precheck).
    clients: { unexpected: 'continue' },
  };
  await writeFile(
    campaignFile,
    stringify(
      // A campaign with its own `state` store keeps it (then --state-dir holds the command output).
      merge(merge(base, quickStats), { ...overrides, ...('state' in overrides ? {} : { stateDir }) }),
      { lineWidth: 0 },
    ),
  );
  const planFile = join(work, 'plan.yaml');
  const sink = { write: () => true };
  const status = await planCampaign(
    { campaign: campaignFile, out: planFile },
    { stdout: sink, stderr: sink },
  );
  if (status !== 0) throw new Error(`dbwave plan ${campaignFile} exited ${status}`);
  const loaded = await loadPlan(planFile);
  const wave1 = (loaded.plan.waves[0]?.servers ?? []).map((planned) => server(fleet, planned.name));
  return { fleet, campaignFile, planFile, stateDir, wave1 };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when a stdout line matches (rejects if the process ends first). */
  waitForLine(pattern: RegExp): Promise<string>;
  readonly done: Promise<CliResult>;
}

/** How node starts dbwave: from its TypeScript source with tsx, or as built (`npm run build`). */
export const SOURCE_CLI: readonly string[] = ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts')];
export const BUILT_CLI: readonly string[] = [join(REPO_ROOT, 'dist', 'cli', 'main.js')];

/** Starts the real CLI: `dbwave ARGS` from the repository (its source unless `cli` says). */
export function startDbwave(args: readonly string[], cli: readonly string[] = SOURCE_CLI): RunningCli {
  const child = spawn(process.execPath, [...cli, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of [...watchers]) {
      const line = stdout.split('\n').find((candidate) => watcher.pattern.test(candidate));
      if (line !== undefined) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    waitForLine: (pattern) =>
      new Promise<string>((resolve, reject) => {
        const line = stdout.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined) {
          resolve(line);
          return;
        }
        watchers.push({ pattern, resolve });
        void done.then(() =>
          reject(new Error(`dbwave ended before printing ${pattern}:\n${stdout}\n${stderr}`)),
        );
      }),
  };
}

/** `dbwave run PLAN --wave 1 --yes --ignore-date` to its end. */
export function runWave1(
  campaign: EngineCampaign,
  extra: readonly string[] = [],
  cli: readonly string[] = SOURCE_CLI,
): Promise<CliResult> {
  return startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date', ...extra], cli).done;
}

export async function journalOf(
  campaign: EngineCampaign,
): Promise<{ records: readonly JournalRecord[]; replay: JournalReplay }> {
  const journal = new FileJournalStore({ stateDir: campaign.stateDir, campaign: 'x', clock: systemClock });
  const { records } = await journal.read();
  return { records, replay: replayJournal(records) };
}

/** How many times the campaign's `upgrade` command ran on a server (its kept output files). */
export async function upgradeCommandsRun(campaign: EngineCampaign, name: string): Promise<number> {
  const files = await readdir(join(campaign.stateDir, 'output', name)).catch(() => [] as string[]);
  return files.filter((file) => /-upgrade-upgrade\.log$/.test(file)).length;
}

/** Every server of the fleet back on the older build, running, healed, window closed. */
export async function resetFleet(fleet: FleetManifest): Promise<void> {
  for (const target of fleet.servers) await resetServer(fleet, target);
}
