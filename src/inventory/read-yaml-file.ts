import { readFile } from 'node:fs/promises';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** Reads and parses one YAML file; a file that cannot be read is an issue, not a crash. */
export async function readYamlFile(path: string, shownAs: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    return {
      file: shownAs,
      value: undefined,
      issues: [{ file: shownAs, key: '', message: `cannot read the file: ${reason}` }],
      lineOf: () => undefined,
    };
  }
  const source = parseYamlSource(text, shownAs);
  if (source.issues.length === 0 && (source.value === null || source.value === undefined)) {
    return { ...source, issues: [{ file: shownAs, key: '', message: 'the file is empty' }] };
  }
  return source;
}
