/**
 * Where a `{{placeholder}}` stands in a command template's shell syntax. A value is substituted
 * shell-quoted (`'…'`), which makes it one literal word only where the shell reads it as a word
 * of its own line: inside double quotes the single quotes are literal and `$(…)` in the value
 * runs; inside single quotes they close the quote; inside backticks or a here-document the text
 * is expanded again; and after `sh -c` or `eval` the value *is* code. Those contexts are refused
 * when the campaign is loaded, so no inventory value can reach a shell unquoted, by construction.
 */

/** The first placeholder that stands where a quoted value would not stay one literal word, and why. */
export interface UnsafePlaceholder {
  readonly placeholder: string;
  readonly why: string;
}

const CODE_RUNNERS = new Set(['eval', 'source', '.']);
const SHELLS = /^(?:.*\/)?(?:sh|bash|dash|ksh|zsh|su|sudo|ssh|runuser)$/;

type Context = 'top' | 'single' | 'double' | 'backtick';

/** Scans a template as POSIX shell text; undefined when every placeholder stands as (part of) a plain word. */
export function unsafePlaceholder(template: string): UnsafePlaceholder | undefined {
  let context: Context = 'top';
  let words: string[] = [];
  let word = '';
  let heredocs: string[] = [];
  const endWord = (): void => {
    if (word !== '') words.push(word);
    word = '';
  };
  for (let index = 0; index < template.length; index++) {
    const char = template[index] ?? '';
    if (template.startsWith('{{', index)) {
      const end = template.indexOf('}}', index);
      const placeholder = end < 0 ? template.slice(index) : template.slice(index, end + 2);
      const why = unsafeWhere(context, words, word);
      if (why !== undefined) return { placeholder, why };
      word += placeholder;
      index += placeholder.length - 1;
      continue;
    }
    if (context === 'single') {
      if (char === "'") context = 'top';
      word += char;
      continue;
    }
    if (char === '\\') {
      word += template.slice(index, index + 2);
      index += 1;
      continue;
    }
    if (context === 'double') {
      if (char === '"') context = 'top';
      word += char;
      continue;
    }
    if (context === 'backtick') {
      if (char === '`') context = 'top';
      word += char;
      continue;
    }
    if (char === "'") context = 'single';
    else if (char === '"') context = 'double';
    else if (char === '`') context = 'backtick';
    else if (char === '#' && word === '') {
      const newline = template.indexOf('\n', index);
      index = newline < 0 ? template.length : newline - 1;
      continue;
    } else if (template.startsWith('<<', index) && template[index + 2] !== '<') {
      const match = /^<<-?\s*(['"]?)([A-Za-z0-9_]+)\1/.exec(template.slice(index));
      if (match !== null) {
        heredocs.push(match[2] ?? '');
        index += match[0].length - 1;
        continue;
      }
    }
    if (char === '\n') {
      endWord();
      words = [];
      if (heredocs.length > 0) {
        // A here-document's body runs to its delimiter line: a placeholder in it is refused.
        const rest = template.slice(index + 1);
        const lines = rest.split('\n');
        let consumed = 0;
        for (const line of lines) {
          consumed += line.length + 1;
          if (line.includes('{{')) {
            return { placeholder: line.slice(line.indexOf('{{')), why: 'inside a here-document' };
          }
          if (line.trim() === heredocs[0]) {
            heredocs = heredocs.slice(1);
            if (heredocs.length === 0) break;
          }
        }
        index += consumed;
        heredocs = [];
      }
      continue;
    }
    if (/[\s;|&()<>]/.test(char)) {
      endWord();
      if (/[;|&()]/.test(char)) words = [];
      continue;
    }
    word += char;
  }
  return undefined;
}

function unsafeWhere(context: Context, words: readonly string[], word: string): string | undefined {
  if (context === 'single') return 'inside single quotes';
  if (context === 'double') return 'inside double quotes';
  if (context === 'backtick') return 'inside backticks';
  if (word !== '') return undefined;
  const previous = words.at(-1) ?? '';
  if (CODE_RUNNERS.has(previous)) return `as the code ${previous} runs`;
  const shell = [...words].reverse().find((candidate) => SHELLS.test(candidate));
  if (shell !== undefined && /^-[A-Za-z]*c$/.test(previous)) return `as the code ${shell} ${previous} runs`;
  return undefined;
}
