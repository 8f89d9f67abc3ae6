import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** One case of the bad-inputs corpus (test/fixtures/bad-inputs/cases/*.yaml). */
export interface BadInputCase {
  readonly name: string;
  readonly description: string;
  readonly files: Readonly<Record<string, string | null>>;
  /** Lines the error must contain, each `file:line N: key: message`. */
  readonly expect: readonly string[];
}

export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'bad-inputs');

export async function badInputCases(): Promise<BadInputCase[]> {
  const names = (await readdir(join(CORPUS, 'cases'))).filter((name) => name.endsWith('.yaml')).sort();
  return Promise.all(
    names.map(async (file) => {
      const document = parse(await readFile(join(CORPUS, 'cases', file), 'utf8')) as Omit<
        BadInputCase,
        'name'
      >;
      return { name: file.replace(/\.yaml$/, ''), ...document };
    }),
  );
}

/** The base campaign and fleet with the case's files laid over them, in a fresh temporary folder. */
export async function materialize(
  badCase: BadInputCase,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `dbwave-bad-${badCase.name}-`));
  await cp(join(CORPUS, 'base'), dir, { recursive: true });
  for (const [path, content] of Object.entries(badCase.files)) {
    if (content === null) await rm(join(dir, path), { force: true });
    else await writeFile(join(dir, path), content);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
