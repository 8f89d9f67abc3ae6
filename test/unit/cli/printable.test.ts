import { describe, expect, it } from 'vitest';
import { formatInputIssue } from '../../../src/core/errors.js';
import { printable } from '../../../src/core/printable.js';

describe('printable', () => {
  it('shows control characters and bidirectional overrides as escapes, keeping newlines and tabs', () => {
    expect(printable('a\x1b[2Jb\x07c\rd\u202ee\tf\ng\x9b')).toBe('a\\x1b[2Jb\\x07c\\x0dd\\u202ee\tf\ng\\x9b');
  });

  it('is idempotent and leaves ordinary text, accents and emoji alone', () => {
    const text = 'sync-db1 café 🚀 \x1b';
    expect(printable(printable(text))).toBe(printable(text));
    expect(printable('sync-db1 café 🚀')).toBe('sync-db1 café 🚀');
  });

  it('applies to every input issue, so a value from a file cannot drive the terminal', () => {
    const line = formatInputIssue({
      file: 'c.yaml',
      line: 3,
      key: 'waves.0.\x1b]0;x\x07',
      message: 'bad \x1b[31mred',
    });
    expect(line).toBe('c.yaml:line 3: waves.0.\\x1b]0;x\\x07: bad \\x1b[31mred');
  });
});
