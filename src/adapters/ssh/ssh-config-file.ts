import { type Line, LineType, parse } from 'ssh-config';
import { errorMessage, InputError, type InputIssue } from '../../core/errors.js';
import { parseProxyJump } from './proxy-jump.js';
import { unknownToken } from './ssh-config-tokens.js';

/**
 * An OpenSSH client configuration file (`~/.ssh/config`, ssh_config(5)), tokenised by the
 * `ssh-config` package (quoting, `=` separators, comments, pattern lists) and kept as the blocks
 * dbwave evaluates itself (see ssh-config-lookup.ts), each setting with its line so that a
 * problem names where it is.
 */
export interface SshConfigFile {
  readonly file: string;
  readonly blocks: readonly SshConfigBlock[];
}

/** Settings before the first Host/Match line apply to every host (`global`). */
export type SshConfigBlock =
  | { readonly kind: 'global'; readonly line: number; readonly settings: readonly SshConfigSetting[] }
  | {
      readonly kind: 'host';
      readonly line: number;
      /** `Host` patterns: `*`, `?`, `!negated`; one negated match rules the block out. */
      readonly patterns: readonly string[];
      readonly settings: readonly SshConfigSetting[];
    }
  | {
      readonly kind: 'match';
      readonly line: number;
      /** Every criterion must hold (`Match host a,b user c`). */
      readonly criteria: readonly MatchCriterion[];
      readonly settings: readonly SshConfigSetting[];
    };

/** One `Match` criterion dbwave evaluates; `exec`, `canonical`, `final` and others are refused. */
export interface MatchCriterion {
  readonly name: 'all' | 'host' | 'originalhost' | 'user' | 'localuser';
  readonly negated: boolean;
  /** Comma-separated pattern list, split (empty for `all`). */
  readonly patterns: readonly string[];
}

/** One `Keyword value` line; `keyword` is lower case (ssh_config keywords are case-insensitive). */
export interface SshConfigSetting {
  readonly keyword: string;
  readonly values: readonly string[];
  readonly line: number;
}

/** The keywords dbwave reads: where a host is, who logs in, with which key, through which jump. */
export const SSH_CONFIG_KEYWORDS = [
  'hostname',
  'user',
  'port',
  'identityfile',
  'proxyjump',
  'userknownhostsfile',
  'proxycommand',
] as const;

const MATCH_CRITERIA: ReadonlySet<string> = new Set(['all', 'host', 'originalhost', 'user', 'localuser']);

/**
 * Parses ssh_config text. Checked here, for every host alike, so that a mistake is exit 2
 * before any server is touched: a line the tokeniser cannot read, a Port that is not 1-65535, a
 * ProxyJump that is not a list of `[user@]host[:port]`, an unknown `%` token, and what dbwave
 * cannot honour the way ssh would (`Include`, `Match exec` and the other Match criteria it does
 * not evaluate). Keywords dbwave does not use (ForwardAgent, ServerAliveInterval, ...) are kept
 * out, not refused: the file is the user's, shared with ssh.
 */
export function parseSshConfig(file: string, text: string): SshConfigFile {
  const lines = tokenise(file, text);
  const issues: InputIssue[] = [];
  const blocks: SshConfigBlock[] = [];
  let settings: SshConfigSetting[] = [];
  blocks.push({ kind: 'global', line: 1, settings });
  for (const { node, line } of lines) {
    const keyword = node.param.toLowerCase();
    const values = valuesOf(node.value);
    const problem = (message: string): void => {
      issues.push({ file, line, key: node.param, message });
    };
    if (keyword === 'host' || keyword === 'match') {
      settings = [];
      if (values.length === 0) problem('names no pattern');
      if (keyword === 'host') {
        blocks.push({ kind: 'host', line, patterns: values.flatMap(splitPatterns), settings });
      } else {
        const criteria = matchCriteria(values, problem);
        blocks.push({ kind: 'match', line, criteria, settings });
      }
      continue;
    }
    if (keyword === 'include') {
      problem('is not supported by dbwave: copy the included settings into this file, or name that file');
      continue;
    }
    if (!(SSH_CONFIG_KEYWORDS as readonly string[]).includes(keyword)) continue;
    if (values.length === 0) {
      problem('has no value');
      continue;
    }
    const checked = checkValue(keyword, values);
    if (checked !== undefined) problem(checked);
    settings.push({ keyword, values, line });
  }
  if (issues.length > 0) throw new InputError(issues);
  return { file, blocks };
}

interface LocatedDirective {
  readonly node: { readonly param: string; readonly value: unknown };
  readonly line: number;
}

/**
 * The file's directives in order with their 1-based lines. The tokeniser keeps each line's
 * leading whitespace (blank lines included) in `before` and its line break in `after`, so lines
 * are counted from those. Its own errors carry no line: the file is then tokenised line by line
 * to find the first one it refuses.
 */
function tokenise(file: string, text: string): LocatedDirective[] {
  // The tokeniser reads a keyword alone on its line as taking the next line for its value.
  const bare = text
    .split('\n')
    .map((line, index) => ({ keyword: /^\s*([^\s#=]+)\s*=?\s*$/.exec(line)?.[1], line: index + 1 }))
    .filter((found): found is { keyword: string; line: number } => found.keyword !== undefined);
  if (bare.length > 0) {
    throw new InputError(
      bare.map(({ keyword, line }) => ({ file, line, key: keyword, message: 'has no value' })),
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (error) {
    throw unreadableLine(file, text, error);
  }
  const located: LocatedDirective[] = [];
  let breaks = 0;
  const visit = (node: Line): void => {
    breaks += newlines(node.before);
    if (node.type === LineType.DIRECTIVE) located.push({ node, line: breaks + 1 });
    breaks += newlines(node.after);
    if ('config' in node) for (const child of node.config) visit(child);
  };
  for (const node of parsed) visit(node);
  return located;
}

function unreadableLine(file: string, text: string, cause: unknown): InputError {
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    try {
      parse(line);
    } catch (error) {
      return new InputError(
        [{ file, line: index + 1, key: line.trim().split(/[\s=]/)[0] ?? '', message: cannotRead(error) }],
        { cause },
      );
    }
  }
  return new InputError([{ file, key: '', message: cannotRead(cause) }], { cause });
}

function cannotRead(error: unknown): string {
  const message = errorMessage(error);
  // The tokeniser's "Unexpected line break" is an unclosed quote (or a trailing backslash).
  return /unexpected line break/i.test(message)
    ? 'cannot be read: a quote is not closed'
    : `cannot be read: ${message}`;
}

function newlines(text: string): number {
  let count = 0;
  for (const char of text) if (char === '\n') count += 1;
  return count;
}

function valuesOf(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value))
    return value.map((part: { val: string }) => part.val).filter((part) => part !== '');
  return [];
}

/** `Host a,b c` is the same list as `Host a b c`. */
function splitPatterns(value: string): string[] {
  return value.split(',').filter((pattern) => pattern !== '');
}

function matchCriteria(values: readonly string[], problem: (message: string) => void): MatchCriterion[] {
  const criteria: MatchCriterion[] = [];
  for (let index = 0; index < values.length; index += 1) {
    const word = values[index] ?? '';
    const negated = word.startsWith('!');
    const name = (negated ? word.slice(1) : word).toLowerCase();
    if (!MATCH_CRITERIA.has(name)) {
      problem(
        name === 'exec'
          ? 'exec is not supported: dbwave runs no command from ssh_config; use Host or Match host/user'
          : `${name} is not supported: dbwave evaluates Match all, host, originalhost, user and localuser`,
      );
      return criteria;
    }
    if (name === 'all') {
      criteria.push({ name: 'all', negated, patterns: [] });
      continue;
    }
    const list = values[index + 1];
    if (list === undefined) {
      problem(`${name} needs a pattern list`);
      return criteria;
    }
    index += 1;
    criteria.push({
      name: name as MatchCriterion['name'],
      negated,
      patterns: splitPatterns(list),
    });
  }
  return criteria;
}

/** What is wrong with a value whatever host it applies to, or undefined. */
function checkValue(keyword: string, values: readonly string[]): string | undefined {
  const [value = ''] = values;
  switch (keyword) {
    case 'port':
      return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535
        ? undefined
        : `${JSON.stringify(value)} is not a port (1-65535)`;
    case 'proxyjump':
      try {
        parseProxyJump(values.join(' '));
        return undefined;
      } catch (error) {
        return errorMessage(error);
      }
    case 'hostname':
    case 'identityfile':
    case 'userknownhostsfile':
      for (const part of values) {
        const token = unknownToken(keyword, part);
        if (token !== undefined) return `${token} is not a token dbwave expands here`;
      }
      return undefined;
    default:
      return undefined;
  }
}
