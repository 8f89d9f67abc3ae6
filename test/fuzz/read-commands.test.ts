import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderSnapshot } from './folder-snapshot.js';
import { CASE_TIME_LIMIT_MS, fuzzBudget, HEAP_GROWTH_LIMIT_BYTES, replayHint } from './fuzz-budget.js';
import { CAMPAIGN_FILE, type Corpus, PLAN_FILE, validCorpora, writeCorpus } from './fuzz-corpus.js';
import {
  COMMAND_NAMES,
  type CommandFlags,
  type CommandName,
  type CommandOutcome,
  commandLine,
  runInProcess,
} from './in-process-commands.js';
import { brokenOutputRules } from './output-rules.js';
import { type FileMutation, fileMutation, mutateText } from './yaml-mutations.js';

const budget = fuzzBudget();
const corpora = await validCorpora();
const FILES = Object.keys(corpora.base);

/** One case: a valid corpus, what is done to one or two of its files, and the commands' flags. */
interface FuzzCase {
  readonly corpus: 'base' | 'rich';
  readonly mutations: readonly FileMutation[];
  readonly flags: CommandFlags;
}

const flags: fc.Arbitrary<CommandFlags> = fc.record({
  json: fc.boolean(),
  planOut: fc.boolean(),
  wave: fc.oneof(
    { arbitrary: fc.constantFrom(1, 2, 3), weight: 4 },
    { arbitrary: fc.constantFrom(0, 4, -1, 1.5, 2 ** 53, Number.NaN), weight: 1 },
  ),
  checklistOut: fc.boolean(),
});

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  corpus: fc.constantFrom('base', 'rich'),
  mutations: fc.array(fileMutation(FILES), { minLength: 1, maxLength: 2 }),
  flags,
});

function mutatedCorpus(fuzz: FuzzCase): Corpus {
  const files: Record<string, string> = { ...corpora[fuzz.corpus] };
  for (const mutation of fuzz.mutations) {
    files[mutation.file] = mutateText(files[mutation.file] ?? '', mutation);
  }
  return files;
}

/** Runs one command of a case, and fails the case (with what it printed) on any broken rule. */
async function runAndCheck(name: CommandName, fuzz: FuzzCase, dir: string): Promise<CommandOutcome> {
  const before = await folderSnapshot(dir);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    runInProcess(name, fuzz.flags, dir),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} still runs after ${CASE_TIME_LIMIT_MS} ms`)),
        CASE_TIME_LIMIT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  const after = await folderSnapshot(dir);
  const line = `dbwave ${commandLine(name, fuzz.flags).join(' ')}`;
  const context = `${line}: exit ${outcome.status}\n--- stdout\n${outcome.stdout.slice(0, 2000)}\n--- stderr\n${outcome.stderr.slice(0, 2000)}`;

  expect(brokenOutputRules(outcome), context).toEqual([]);
  expect(outcome.elapsedMs, `${line} took ${Math.round(outcome.elapsedMs)} ms`).toBeLessThan(
    CASE_TIME_LIMIT_MS,
  );
  const writes = name === 'plan' || (name === 'checklist' && fuzz.flags.checklistOut);
  if (outcome.status === 2 || !writes) expect(after, `${context}\n--- but the folder changed`).toBe(before);
  // `check` has no --json; `checklist --out` writes its JSON to the file.
  const printsJson =
    fuzz.flags.json && name !== 'check' && !(name === 'checklist' && fuzz.flags.checklistOut);
  if (outcome.status === 0 && printsJson) {
    expect(() => JSON.parse(outcome.stdout), `${context}\n--- stdout is not JSON`).not.toThrow();
  }
  return outcome;
}

/** The V8 collector, to measure what the heap keeps rather than what it has not yet freed. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('plan, check, show and checklist on mutated campaign, class and plan files', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dbwave-fuzz-'));
    console.info(`fuzz: ${budget.runs} cases, seed ${budget.seed}; replay: ${replayHint(budget)}`);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it(
    'every run exits 0, 1 or 2, prints no stack trace or raw control character, writes nothing on exit 2, and never hangs',
    async () => {
      collectGarbage();
      const heapBefore = process.memoryUsage().heapUsed;
      const statuses = new Map<string, number>();
      let slowestMs = 0;
      let caseNumber = 0;
      await fc.assert(
        fc.asyncProperty(fuzzCase, async (fuzz) => {
          const dir = join(root, `case-${caseNumber++}`);
          await mkdir(dir);
          try {
            await writeCorpus(dir, mutatedCorpus(fuzz));
            const started = performance.now();
            for (const name of COMMAND_NAMES) {
              const outcome = await runAndCheck(name, fuzz, dir);
              const key = `${name} ${outcome.status}`;
              statuses.set(key, (statuses.get(key) ?? 0) + 1);
            }
            const elapsed = performance.now() - started;
            slowestMs = Math.max(slowestMs, elapsed);
            expect(elapsed, 'the four commands of one case').toBeLessThan(CASE_TIME_LIMIT_MS);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }),
        {
          numRuns: budget.runs,
          seed: budget.seed,
          ...(budget.path === undefined ? {} : { path: budget.path }),
        },
      );
      collectGarbage();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      console.info(
        `fuzz: slowest case ${Math.round(slowestMs)} ms, heap growth ${Math.round(heapGrowth / 1024 / 1024)} MiB; exits: ${[
          ...statuses,
        ]
          .sort()
          .map(([key, count]) => `${key}: ${count}`)
          .join(', ')}`,
      );
      expect(heapGrowth).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
    },
    budget.runs * CASE_TIME_LIMIT_MS + 60_000,
  );

  it('the valid corpora themselves plan, check, show and list with exit 0', async () => {
    for (const corpus of ['base', 'rich'] as const) {
      const dir = join(root, `valid-${corpus}`);
      await mkdir(dir);
      await writeCorpus(dir, corpora[corpus]);
      const fuzz: FuzzCase = {
        corpus,
        mutations: [],
        flags: { json: false, planOut: true, wave: 1, checklistOut: false },
      };
      for (const name of COMMAND_NAMES) expect((await runAndCheck(name, fuzz, dir)).status).toBe(0);
    }
  });

  it('a mapping used as a key is an unknown key (exit 2), not a Node warning on stderr', async () => {
    const dir = join(root, 'collection-key');
    await mkdir(dir);
    const campaign = `${corpora.base[CAMPAIGN_FILE]}? [a, b]\n: c\n`;
    await writeCorpus(dir, { ...corpora.base, [CAMPAIGN_FILE]: campaign });
    const fuzz: FuzzCase = {
      corpus: 'base',
      mutations: [],
      flags: { json: false, planOut: true, wave: 1, checklistOut: false },
    };
    const outcome = await runAndCheck('plan', fuzz, dir);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain('[ a, b ]: is not a known key');
  });

  it('a legitimate use of anchors (every repeated string aliased) changes nothing', async () => {
    for (const corpus of ['base', 'rich'] as const) {
      const dir = join(root, `anchored-${corpus}`);
      await mkdir(dir);
      const files: Record<string, string> = {};
      for (const [file, text] of Object.entries(corpora[corpus])) {
        files[file] = mutateText(text, { file, tree: [{ kind: 'share-equal-scalars' }], text: [] });
      }
      expect(files[PLAN_FILE]).toContain('*s0');
      await writeCorpus(dir, files);
      const fuzz: FuzzCase = {
        corpus,
        mutations: [],
        flags: { json: false, planOut: true, wave: 2, checklistOut: false },
      };
      for (const name of COMMAND_NAMES) expect((await runAndCheck(name, fuzz, dir)).status).toBe(0);
    }
  });
});
