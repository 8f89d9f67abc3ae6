import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../src/model/shell-quote.js';

/** What `sh -c 'printf %s <quoted>'` prints: the value the shell saw. */
function throughShell(quoted: string): string {
  const result = spawnSync('/bin/sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sh failed: ${result.stderr}`);
  return result.stdout;
}

const dangerous = fc.constantFrom(
  "'",
  '"',
  '\\',
  '$(id)',
  '`id`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a parameter expansion the shell must not perform
  '${HOME}',
  '$HOME',
  '\n',
  '\r\n',
  '\t',
  ' ',
  ';',
  '&&',
  '|',
  '>',
  '<',
  '*',
  '?',
  '[a]',
  '~',
  '#',
  '!',
  '%s',
  '-n',
  "'\\''",
  'é',
  '日本',
  '🙂',
);

const shellText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(dangerous, fc.string()), { maxLength: 12 }).map((parts) => parts.join('')),
);

describe('shellQuote', () => {
  it('gives the shell exactly the original string, whatever it holds', () => {
    fc.assert(
      fc.property(
        shellText.filter((text) => !text.includes('\0')),
        (text) => {
          expect(throughShell(shellQuote(text))).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the empty string as one (empty) argument', () => {
    const result = spawnSync('/bin/sh', ['-c', `set -- ${shellQuote('')}; printf %s "$#"`], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('1');
  });

  it('makes one word of a value with spaces, so it cannot become two arguments', () => {
    const result = spawnSync('/bin/sh', ['-c', `set -- ${shellQuote('a b  c')}; printf %s "$#"`], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('1');
  });

  it('refuses a NUL character, which no shell argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
