import type { Document, Node, ScalarTag } from 'yaml';
import type { InputIssue } from '../core/errors.js';
import type { KeyPath } from '../core/source-locator.js';
import { INPUT_LIMITS } from './input-limits.js';
import { readPlainYaml } from './yaml-fast-path.js';
import { yamlPackage } from './yaml-package.js';

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

/** The part of a {@link YamlSource} that points at lines: what is kept once its value is validated. */
export type YamlLines = Pick<YamlSource, 'file' | 'lineOf'>;

/**
 * The file's name and its `lineOf`, without the parsed value, so that the raw copy of a large
 * file can be collected once its validated copy exists. `lineOf` of both kinds of source below is
 * a closure over the text or the document, never over `this` or the value.
 */
export function linesOf(source: YamlSource): YamlLines {
  return { file: source.file, lineOf: source.lineOf };
}

/** How a file is parsed: dbwave's own files are YAML 1.2; Ansible's are YAML 1.1 with its tags. */
export interface YamlSourceOptions {
  /** YAML version (default 1.2): Ansible reads 1.1, where `yes` is true and `0755` is octal. */
  readonly version?: '1.1' | '1.2';
  /** Tags the file may use besides the standard ones (Ansible's `!vault`, `!unsafe`). */
  readonly customTags?: readonly ScalarTag[];
}

/**
 * Parses YAML 1.2 by default (so an unquoted 2011-09-20 stays a string; the schemas also accept
 * dates), refusing duplicate keys, and keeps the source positions so every later error can name its line.
 *
 * A file in the plain subset that dbwave and most people write (yaml-fast-path.ts) is read without
 * the yaml package's node tree, which costs seconds and a gigabyte for a 100,000-server fleet;
 * the first `lineOf` (asked only when something is wrong) parses it again with positions. Any
 * other file, every file with a syntax error, and every YAML 1.1 or custom-tag read (Ansible's)
 * goes through the yaml package at once.
 */
export function parseYamlSource(text: string, file: string, options: YamlSourceOptions = {}): YamlSource {
  const plain = options.version === undefined && options.customTags === undefined;
  const fast = plain ? readPlainYaml(text, INPUT_LIMITS.stringLength) : undefined;
  if (fast === undefined) return parsePrecisely(text, file, options);
  let precise: YamlSource | undefined;
  return {
    file,
    value: fast.value,
    issues: [],
    lineOf(key) {
      precise ??= parsePrecisely(text, file, options);
      return precise.lineOf(key);
    },
  };
}

/** The yaml package's parse, with every node's position. */
function parsePrecisely(text: string, file: string, options: YamlSourceOptions): YamlSource {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    version: options.version ?? '1.2',
    ...(options.customTags === undefined ? {} : { customTags: [...options.customTags] }),
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: false,
    // The yaml package would print its warnings (a mapping used as a key, say) on stderr as Node
    // warnings; the schemas report what is wrong with such a key, with its file and line.
    logLevel: 'error',
  });
  const line = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  const issues: InputIssue[] = document.errors.map((error) => {
    const at = line(error.pos[0]);
    const message = `YAML syntax error: ${error.message.split('\n')[0]}`;
    return at === undefined ? { file, key: '', message } : { file, key: '', message, line: at };
  });

  if (issues.length === 0) issues.push(...overlongStrings(document, file, line));
  let value: unknown;
  if (issues.length === 0) {
    try {
      value = document.toJS({ maxAliasCount: INPUT_LIMITS.aliasExpansions });
    } catch (error) {
      // The yaml package throws a ReferenceError for an alias to nothing and for excessive
      // expansion; both are the file's fault, not dbwave's.
      if (!(error instanceof ReferenceError)) throw error;
      issues.push({ file, key: '', message: aliasMessage(error) });
    }
  }

  return {
    file,
    value,
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

function aliasMessage(error: ReferenceError): string {
  if (/excessive alias count/i.test(error.message)) {
    return `YAML aliases expand past ${INPUT_LIMITS.aliasExpansions.toLocaleString('en-US')} nodes (aliases of aliases, as in a "billion laughs" file): write the values out, or use fewer levels of aliases`;
  }
  return `YAML alias error: ${error.message.split('\n')[0]}`;
}

/** Every string value longer than {@link INPUT_LIMITS.stringLength}, as an issue at its line. */
function overlongStrings(
  document: Document.Parsed,
  file: string,
  line: (offset: number | undefined) => number | undefined,
): InputIssue[] {
  const issues: InputIssue[] = [];
  yamlPackage().visit(document, {
    Scalar(_, node, path) {
      if (typeof node.value !== 'string' || node.value.length <= INPUT_LIMITS.stringLength) return;
      const at = line(rangeStart(node));
      const key = keyPathOf([...path, node]).join('.');
      const message = `a string of ${node.value.length.toLocaleString('en-US')} characters, more than the ${INPUT_LIMITS.stringLength.toLocaleString('en-US')} dbwave reads in one value`;
      issues.push(at === undefined ? { file, key, message } : { file, key, message, line: at });
    },
  });
  return issues;
}

/** The key path of the last node of a visitor's ancestor chain: pair keys and sequence indexes. */
function keyPathOf(chain: readonly unknown[]): KeyPath {
  const { isPair, isScalar, isSeq } = yamlPackage();
  const key: (string | number)[] = [];
  chain.forEach((node, index) => {
    const child = chain[index + 1];
    if (isPair(node) && child === node.value && isScalar(node.key)) key.push(String(node.key.value));
    else if (isSeq(node) && child !== undefined) key.push(node.items.indexOf(child as never));
  });
  return key;
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  return range?.[0];
}
