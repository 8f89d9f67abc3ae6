import { timePhaseAsync } from '../core/phase-timing.js';
import { readBoundedText } from './read-bounded-text.js';
import { parseYamlSource, type YamlSource, type YamlSourceOptions } from './yaml-source.js';

/**
 * Reads and parses one YAML file; a file that cannot be read is an issue, not a crash. Only a
 * regular file within the bounds of {@link readBoundedText} is parsed.
 */
export function readYamlFile(
  path: string,
  shownAs: string,
  options: YamlSourceOptions = {},
): Promise<YamlSource> {
  return timePhaseAsync('parse', () => readAndParse(path, shownAs, options));
}

async function readAndParse(path: string, shownAs: string, options: YamlSourceOptions): Promise<YamlSource> {
  const read = await readBoundedText(path, shownAs);
  if ('issue' in read)
    return { file: shownAs, value: undefined, issues: [read.issue], lineOf: () => undefined };
  const source = parseYamlSource(read.text, shownAs, options);
  if (source.issues.length === 0 && (source.value === null || source.value === undefined)) {
    return { ...source, issues: [{ file: shownAs, key: '', message: 'the file is empty' }] };
  }
  return source;
}
