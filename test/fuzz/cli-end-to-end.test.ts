import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderSnapshot } from './folder-snapshot.js';
import { fuzzBudget } from './fuzz-budget.js';
import { validCorpora, writeCorpus } from './fuzz-corpus.js';
import { COMMAND_NAMES, type CommandOutcome, commandLine } from './in-process-commands.js';
import { brokenOutputRules } from './output-rules.js';
import { fileMutation, mutateText } from './yaml-mutations.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A Node start with tsx costs about a second: a spawned command gets this long in all. */
const SPAWN_TIME_LIMIT_MS = 20_000;

const budget = fuzzBudget();
const corpora = await validCorpora();

/** Runs the real CLI from source, as a user would (through tsx), in `cwd`. */
function dbwave(args: readonly string[], cwd: string): Promise<CommandOutcome> {
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
      cwd,
      env: { ...process.env, DBWAVE_DEBUG: '' },
      timeout: SPAWN_TIME_LIMIT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({
        status: (status ?? (signal === null ? -1 : -2)) as CommandOutcome['status'],
        stdout,
        stderr,
        elapsedMs: performance.now() - started,
      }),
    );
  });
}

describe('the real CLI on mutated inputs (a few cases, end to end through yargs)', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dbwave-fuzz-cli-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it(
    'exits 0, 1 or 2 with no stack trace, and writes nothing on exit 2',
    async () => {
      let caseNumber = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('base', 'rich' as const),
          fileMutation(Object.keys(corpora.base)),
          fc.constantFrom(...COMMAND_NAMES),
          fc.record({
            json: fc.boolean(),
            planOut: fc.boolean(),
            wave: fc.constantFrom(1, 2, 3, 0, 4),
            checklistOut: fc.boolean(),
          }),
          async (corpus, mutation, name, flags) => {
            const dir = join(root, `case-${caseNumber++}`);
            await mkdir(dir);
            try {
              const files = { ...corpora[corpus] };
              files[mutation.file] = mutateText(files[mutation.file] ?? '', mutation);
              await writeCorpus(dir, files);
              const before = await folderSnapshot(dir);
              const args = commandLine(name, flags);
              const outcome = await dbwave(args, dir);
              const context = `dbwave ${args.join(' ')}: exit ${outcome.status}\n--- stdout\n${outcome.stdout.slice(0, 2000)}\n--- stderr\n${outcome.stderr.slice(0, 2000)}`;
              expect(brokenOutputRules(outcome), context).toEqual([]);
              if (outcome.status === 2) expect(await folderSnapshot(dir), context).toBe(before);
            } finally {
              await rm(dir, { recursive: true, force: true });
            }
          },
        ),
        {
          numRuns: budget.endToEndRuns,
          seed: budget.seed,
          ...(budget.path === undefined ? {} : { path: budget.path }),
        },
      );
    },
    budget.endToEndRuns * SPAWN_TIME_LIMIT_MS + 30_000,
  );
});
