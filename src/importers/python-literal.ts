/**
 * The value of an INI inventory's `key=value` as Ansible reads it: Python's `ast.literal_eval`
 * when the text is a Python literal (`3306` is a number, `True` a boolean, `"a b"` a string,
 * `[1, 2]` a list), the text itself otherwise (`02:00`, `raid10-n2`). Only literals are read:
 * nothing is evaluated.
 */
export function iniValue(text: string): unknown {
  const parser = new LiteralParser(text);
  try {
    const value = parser.value();
    parser.skipSpace();
    return parser.atEnd() ? value : text;
  } catch (error) {
    // Nesting deep enough to exhaust the stack is not a literal Ansible would read either.
    if (error instanceof NotALiteral || error instanceof RangeError) return text;
    throw error;
  }
}

class NotALiteral extends Error {}

const NUMBER =
  /^(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|((\d(_?\d)*)?\.\d(_?\d)*|\d(_?\d)*\.?)([eE][+-]?\d(_?\d)*)?)/;
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\u0007',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\u0000',
  '\n': '',
};

class LiteralParser {
  #at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.#at >= this.text.length;
  }

  skipSpace(): void {
    while (this.#at < this.text.length && /\s/.test(this.text[this.#at] ?? '')) this.#at++;
  }

  value(): unknown {
    this.skipSpace();
    const rest = this.text.slice(this.#at);
    const char = rest[0];
    if (char === undefined) throw new NotALiteral();
    if (char === '[') return this.sequence(']');
    if (char === '(') return this.sequence(')');
    if (char === '{') return this.mapping();
    if (char === '+' || char === '-') {
      this.#at++;
      const operand = this.value();
      if (typeof operand !== 'number') throw new NotALiteral();
      return char === '-' ? -operand : operand;
    }
    const word = /^(True|False|None)\b/.exec(rest);
    if (word !== null) {
      this.#at += word[0].length;
      return word[0] === 'None' ? null : word[0] === 'True';
    }
    const prefix = /^[rRuU]?(?=['"])/.exec(rest);
    if (prefix !== null) return this.string(prefix[0].toLowerCase() === 'r', prefix[0].length);
    return this.number(rest);
  }

  private number(rest: string): number {
    const match = NUMBER.exec(rest);
    if (match === null || match[0] === '') throw new NotALiteral();
    const digits = match[0].replaceAll('_', '');
    // Python 3 refuses a decimal integer with a leading zero (0755): such text stays text.
    if (/^0\d/.test(digits) && /^\d+$/.test(digits)) throw new NotALiteral();
    this.#at += match[0].length;
    if (/[a-zA-Z_]/.test(this.text[this.#at] ?? '')) throw new NotALiteral();
    if (/^0[oO]/.test(digits)) return Number.parseInt(digits.slice(2), 8);
    if (/^0[bB]/.test(digits)) return Number.parseInt(digits.slice(2), 2);
    return Number(digits);
  }

  private string(raw: boolean, prefixLength: number): string {
    this.#at += prefixLength;
    const quote = this.text[this.#at];
    this.#at++;
    let value = '';
    while (this.#at < this.text.length) {
      const char = this.text[this.#at] ?? '';
      this.#at++;
      if (char === quote) return value;
      if (char === '\n') throw new NotALiteral();
      if (char === '\\' && !raw) {
        const next = this.text[this.#at] ?? '';
        this.#at++;
        value += ESCAPES[next] ?? `\\${next}`;
        continue;
      }
      value += char;
    }
    throw new NotALiteral();
  }

  private sequence(close: string): unknown[] {
    this.#at++;
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.#at] === close) {
        this.#at++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.#at] === ',') this.#at++;
      else if (this.text[this.#at] !== close) throw new NotALiteral();
    }
  }

  private mapping(): Record<string, unknown> {
    this.#at++;
    const entries: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.#at] === '}') {
        this.#at++;
        return entries;
      }
      const key = this.value();
      this.skipSpace();
      if (this.text[this.#at] !== ':') throw new NotALiteral();
      this.#at++;
      entries[String(key)] = this.value();
      this.skipSpace();
      if (this.text[this.#at] === ',') this.#at++;
      else if (this.text[this.#at] !== '}') throw new NotALiteral();
    }
  }
}
