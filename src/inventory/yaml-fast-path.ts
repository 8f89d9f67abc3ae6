/**
 * A reader for the plain subset of YAML that class, campaign and plan files are written in:
 * block mappings and sequences by indentation, one-line plain, quoted and flow values, comments.
 * It is ten times faster than the yaml package's parser and keeps no node per value, which is what
 * a 100,000-server fleet needs; it is no YAML parser. It answers only when it is sure the yaml
 * package would return the same value without an error or warning, and otherwise declines
 * (`undefined`), and the caller parses the text with the yaml package, which finds every error
 * with its line. Anything outside the subset declines: anchors, aliases, tags, block scalars,
 * multi-line scalars, escapes, duplicate keys, keys that are not plain words, numbers in any form
 * but plain decimals, tabs, control characters.
 */

/** What a file read by the fast path holds: the value the yaml package would have returned. */
export interface FastYamlValue {
  readonly value: unknown;
}

/** Declines: the caller parses with the yaml package instead. */
class Decline extends Error {}

const decline = (): never => {
  throw new Decline();
};

/**
 * Characters the fast path does not reason about: tabs and carriage returns (indentation and
 * line ends), C0/C1 controls, DEL, the byte-order mark and Unicode line separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const UNSUPPORTED_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** A mapping key the fast path takes: a word that the core schema reads as a string. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Words that look like keys but resolve to something else, or need care in a JS object. */
const SPECIAL_KEYS = new Set([
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'null',
  'Null',
  'NULL',
  '__proto__',
]);

/** Core-schema plain scalars that are not strings: null, booleans, numbers in any notation. */
const NULL_PLAIN = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_PLAIN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
/** Every int and float form of the core schema (0o, 0x, exponents, .inf, .nan, signs, dots). */
const NUMBER_LIKE = /^[-+]?(?:[0-9]|\.[0-9]|\.inf|\.Inf|\.INF)|^\.(?:nan|NaN|NAN)$|^0[ox]/;
/** The number forms the fast path resolves itself; every other number-like plain declines. */
const DECIMAL_INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
const DECIMAL_FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
const CORE_INT = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const CORE_FLOAT =
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$|^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** First characters that make a plain scalar something else, or that the fast path leaves alone. */
const INDICATORS = new Set([
  '-',
  '?',
  ':',
  ',',
  '[',
  ']',
  '{',
  '}',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
]);

/** The value a core-schema plain scalar resolves to, or a decline when unsure. */
function plainValue(text: string, maxStringLength: number): unknown {
  if (NULL_PLAIN.test(text)) return text === '' ? decline() : null;
  if (BOOL_PLAIN.test(text)) return text[0] === 't' || text[0] === 'T';
  if (NUMBER_LIKE.test(text)) {
    if (DECIMAL_INT.test(text) && text !== '-0') return Number(text);
    if (DECIMAL_FLOAT.test(text)) return Number.parseFloat(text);
    // Number-looking strings such as 5.1.44 or 2011-09-20 stay strings; true numbers decline.
    if (CORE_INT.test(text) || CORE_FLOAT.test(text)) return decline();
  }
  if (text.length > maxStringLength) return decline();
  return text;
}

/** One line of content: its indentation and its text after it (comments and blanks dropped). */
interface Line {
  readonly indent: number;
  readonly text: string;
}

function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let indent = start;
    while (indent < end && text.charCodeAt(indent) === 32) indent += 1;
    if (indent < end && text.charCodeAt(indent) !== 35 /* # */) {
      lines.push({ indent: indent - start, text: text.slice(indent, end) });
    }
    start = end + 1;
  }
  return lines;
}

/**
 * Where a `key:` of a block mapping ends, or -1 when the line is not `key: value` or `key:`.
 * Declines on keys that are not plain words.
 */
function keyEnd(text: string): number {
  const colon = text.indexOf(':');
  if (colon <= 0) return -1;
  const after = text.charCodeAt(colon + 1);
  if (!(colon + 1 === text.length || after === 32)) return -1;
  const key = text.slice(0, colon);
  if (!PLAIN_KEY.test(key) || SPECIAL_KEYS.has(key) || key.length > 256) return decline();
  return colon;
}

class Reader {
  private index = 0;

  constructor(
    private readonly lines: readonly Line[],
    private readonly maxStringLength: number,
  ) {}

  document(): unknown {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0) return decline();
    const value = this.block(0);
    if (this.index < this.lines.length) return decline();
    return value;
  }

  /** A block mapping or sequence whose first line is the current one, at `indent`. */
  private block(indent: number): unknown {
    const line = this.lines[this.index];
    if (line === undefined || line.indent !== indent) return decline();
    if (line.text === '-' || line.text.startsWith('- ')) return this.sequence(indent);
    if (keyEnd(line.text) > 0) return this.mapping(indent, 0);
    return decline();
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      const line = this.lines[this.index];
      if (line === undefined || line.indent < indent) return items;
      if (line.indent > indent || !(line.text === '-' || line.text.startsWith('- '))) return decline();
      const rest = line.text.slice(2).replace(/^ +/, '');
      if (rest === '' || rest.startsWith('#')) {
        this.index += 1;
        items.push(this.nested(indent, false));
      } else if (rest.startsWith('- ') || rest === '-') {
        return decline();
      } else if (
        rest[0] !== '{' &&
        rest[0] !== '[' &&
        rest[0] !== '"' &&
        rest[0] !== "'" &&
        keyEnd(rest) > 0
      ) {
        // `- key: value`: a mapping whose keys stand at the column after the dash.
        const column = line.indent + (line.text.length - rest.length);
        items.push(this.mapping(column, line.text.length - rest.length));
      } else {
        this.index += 1;
        items.push(this.inline(rest));
        this.expectNoDeeper(indent);
      }
    }
  }

  /**
   * A block mapping at `indent`. Its first key may sit after a sequence's dash (`skip` characters
   * into the current line's text).
   */
  private mapping(indent: number, skip: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let first = true;
    for (;;) {
      const line = this.lines[this.index];
      if (line === undefined) return map;
      const text = first ? line.text.slice(skip) : line.text;
      if (!first) {
        if (line.indent < indent) return map;
        if (line.indent > indent) return decline();
      }
      first = false;
      const colon = keyEnd(text);
      if (colon < 0) return decline();
      const key = text.slice(0, colon);
      if (Object.hasOwn(map, key)) return decline();
      const rest = text.slice(colon + 1).replace(/^ +/, '');
      this.index += 1;
      if (rest === '' || rest.startsWith('#')) {
        map[key] = this.nested(indent, true);
      } else {
        map[key] = this.inline(rest);
        this.expectNoDeeper(indent);
      }
    }
  }

  /** The value of `key:` or `-` with nothing after it: a deeper block, or null. */
  private nested(indent: number, sequenceMayAlign: boolean): unknown {
    const next = this.lines[this.index];
    if (next !== undefined && next.indent > indent) return this.block(next.indent);
    // `key:` followed by `- item` lines at the key's own indentation is a sequence in YAML.
    if (sequenceMayAlign && next !== undefined && next.indent === indent && next.text.startsWith('-'))
      return decline();
    return null;
  }

  /** After a one-line value, a deeper line would continue it (a multi-line scalar): decline. */
  private expectNoDeeper(indent: number): void {
    const next = this.lines[this.index];
    if (next !== undefined && next.indent > indent) decline();
  }

  /** A one-line value in block context: quoted, flow or plain, with an optional comment after. */
  private inline(text: string): unknown {
    const first = text[0];
    if (first === '"' || first === "'" || first === '{' || first === '[') {
      const cursor = { text, at: 0 };
      const value = this.flowValue(cursor, false);
      const rest = text.slice(cursor.at);
      if (!/^(?: +#.*)? *$/.test(rest)) return decline();
      return value;
    }
    const comment = text.indexOf(' #');
    const plain = (comment < 0 ? text : text.slice(0, comment)).replace(/ +$/, '');
    return this.plain(plain, false);
  }

  private plain(text: string, inFlow: boolean): unknown {
    const first = text[0];
    if (first === undefined) return decline();
    if (INDICATORS.has(first) && !(first === '-' && /^-[0-9]/.test(text))) return decline();
    if (text.includes(': ') || text.endsWith(':') || text.includes(' #')) return decline();
    if (inFlow && /[:,[\]{}#]/.test(text)) return decline();
    return plainValue(text, this.maxStringLength);
  }

  /** A quoted scalar or a flow collection at `cursor.at`, all on this line. */
  private flowValue(cursor: { text: string; at: number }, inFlow: boolean): unknown {
    const { text } = cursor;
    const first = text[cursor.at];
    if (first === '"') {
      const end = text.indexOf('"', cursor.at + 1);
      if (end < 0) return decline();
      const value = text.slice(cursor.at + 1, end);
      if (value.includes('\\') || value.length > this.maxStringLength) return decline();
      cursor.at = end + 1;
      return value;
    }
    if (first === "'") {
      let value = '';
      let at = cursor.at + 1;
      for (;;) {
        const end = text.indexOf("'", at);
        if (end < 0) return decline();
        value += text.slice(at, end);
        if (text[end + 1] === "'") {
          value += "'";
          at = end + 2;
          continue;
        }
        cursor.at = end + 1;
        break;
      }
      if (value.length > this.maxStringLength) return decline();
      return value;
    }
    if (first === '{' || first === '[') return this.flowCollection(cursor, first === '{');
    if (!inFlow) return decline();
    // A plain scalar inside a flow collection ends at the next comma or closing bracket.
    const match = /^[^,[\]{}]*/.exec(text.slice(cursor.at));
    const raw = match?.[0] ?? '';
    cursor.at += raw.length;
    return this.plain(raw.trim(), true);
  }

  private flowCollection(cursor: { text: string; at: number }, isMap: boolean): unknown {
    const close = isMap ? '}' : ']';
    const map: Record<string, unknown> = {};
    const list: unknown[] = [];
    cursor.at += 1;
    const skipSpaces = (): void => {
      while (cursor.text[cursor.at] === ' ') cursor.at += 1;
    };
    skipSpaces();
    if (cursor.text[cursor.at] === close) {
      cursor.at += 1;
      return isMap ? map : list;
    }
    for (;;) {
      skipSpaces();
      if (isMap) {
        const rest = cursor.text.slice(cursor.at);
        const colon = rest.indexOf(': ');
        if (colon <= 0) return decline();
        const key = rest.slice(0, colon);
        if (!PLAIN_KEY.test(key) || SPECIAL_KEYS.has(key) || Object.hasOwn(map, key)) return decline();
        cursor.at += colon + 2;
        skipSpaces();
        map[key] = this.flowValue(cursor, true);
      } else {
        list.push(this.flowValue(cursor, true));
      }
      skipSpaces();
      const next = cursor.text[cursor.at];
      cursor.at += 1;
      if (next === close) return isMap ? map : list;
      if (next !== ',') return decline();
      skipSpaces();
      // A trailing comma, or an empty entry: leave it to the yaml package.
      if (cursor.text[cursor.at] === close || cursor.text[cursor.at] === ',') return decline();
    }
  }
}

/**
 * The value of `text` when it is written in the plain subset and the yaml package would read it
 * without an error or a warning; `undefined` (decline) otherwise, also for an empty document.
 * `maxStringLength`: a longer string declines, so that the yaml path reports it.
 */
export function readPlainYaml(text: string, maxStringLength: number): FastYamlValue | undefined {
  if (UNSUPPORTED_CHARACTERS.test(text)) return undefined;
  try {
    const lines = contentLines(text);
    for (const line of lines) {
      if (
        line.indent === 0 &&
        (line.text.startsWith('---') || line.text.startsWith('...') || line.text[0] === '%')
      )
        return undefined;
    }
    return { value: new Reader(lines, maxStringLength).document() };
  } catch (error) {
    if (error instanceof Decline) return undefined;
    throw error;
  }
}
