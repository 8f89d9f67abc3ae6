import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../src/engine/journal/journal-record.js';
import { REPO_ROOT } from '../fleet/fleet-paths.js';

/**
 * `dbwave run PLAN --wave 1 --yes --ignore-date --state-dir DIR`, from source, as its own node
 * process (no npx or tsx wrapper in between, so the pid sampled is dbwave's), with its resident
 * memory sampled while it runs and its journal read back afterwards.
 */

export interface DbwaveRun {
  readonly exitCode: number | null;
  readonly records: readonly JournalRecord[];
  readonly stateDir: string;
  /** The last lines it printed, for a failure's report. */
  readonly outputTail: string;
  /** Resident memory samples, KiB, every RSS_SAMPLE_MS. */
  readonly rssKib: readonly number[];
}

const RSS_SAMPLE_MS = 250;

/**
 * The checkout whose dbwave runs: this one, or DBWAVE_BENCH_ENGINE (another commit's tree with
 * its node_modules, e.g. `git archive BASE | tar -x -C DIR`), so that an engine before and after
 * a change is measured by the same bench, on the same fleet, against the same baseline.
 */
export const ENGINE_ROOT = process.env.DBWAVE_BENCH_ENGINE ?? REPO_ROOT;

function rssKibOf(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function readJournal(stateDir: string): Promise<JournalRecord[]> {
  try {
    const text = await readFile(join(stateDir, 'journal.jsonl'), 'utf8');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as JournalRecord);
  } catch {
    return [];
  }
}

export async function runDbwave(planFile: string, stateDir: string): Promise<DbwaveRun> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'run',
      planFile,
      '--wave',
      '1',
      '--yes',
      '--ignore-date',
      '--state-dir',
      stateDir,
    ],
    { cwd: ENGINE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const rssKib: number[] = [];
  const sampler = setInterval(() => {
    const rss = child.pid === undefined ? undefined : rssKibOf(child.pid);
    if (rss !== undefined) rssKib.push(rss);
  }, RSS_SAMPLE_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearInterval(sampler);
  return { exitCode, records: await readJournal(stateDir), stateDir, outputTail: output, rssKib };
}

/** Whether a pid is gone or a zombie (kill -0 alone would still see a zombie). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Polls a pid every `intervalMs`; resolves with the epoch ms it was first seen gone. */
export function watchExit(pid: number, intervalMs = 20): { readonly exited: Promise<number>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<number>((resolve) => {
    timer = setInterval(() => {
      if (!gone(pid)) return;
      clearInterval(timer);
      resolve(Date.now());
    }, intervalMs);
  });
  return { exited, stop: () => clearInterval(timer) };
}
