import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { InputIssue } from '../core/errors.js';
import type { KeyPath } from '../core/source-locator.js';

/** A parsed YAML file that can say on which line each key was written. */
export interface YamlSource {
  /** The file as messages name it. */
  readonly file: string;
  /** The plain value (undefined when the file did not parse). */
  readonly value: unknown;
  /** YAML syntax errors, each with its line. */
  readonly issues: readonly InputIssue[];
  /**
   * The 1-based line of the deepest node along `key` that exists: a missing key is reported at
   * the line of the mapping it is missing from.
   */
  lineOf(key: KeyPath): number | undefined;
}

/**
 * Parses YAML 1.2 (so an unquoted 2011-09-20 stays a string; the schemas also accept dates),
 * refusing duplicate keys, and keeps the source positions so every later error can name its line.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: false,
  });
  const line = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  const issues: InputIssue[] = document.errors.map((error) => {
    const at = line(error.pos[0]);
    const message = `YAML syntax error: ${error.message.split('\n')[0]}`;
    return at === undefined ? { file, key: '', message } : { file, key: '', message, line: at };
  });

  return {
    file,
    value: issues.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined,
    issues,
    lineOf(key) {
      let node: unknown = document.contents;
      let found: number | undefined = line(rangeStart(node));
      for (const segment of key) {
        if (isMap(node)) {
          const pair = node.items.find(
            (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
          );
          if (pair === undefined) break;
          found = line(rangeStart(pair.key)) ?? found;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment];
          if (item === undefined) break;
          found = line(rangeStart(item)) ?? found;
          node = item;
        } else {
          break;
        }
      }
      return found;
    },
  };
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  return range?.[0];
}
