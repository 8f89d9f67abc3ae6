import { CORE_BOOL, CORE_FLOAT, CORE_INT, CORE_NULL } from './yaml-core-schema.js';

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

/** The number forms the fast path resolves itself; every other core-schema number declines. */
const DECIMAL_INT = /^-?(?:0|[1-9][0-9]{0,14})$/;
const DECIMAL_FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const UNDERSCORE = 95;

/**
 * First characters that make a plain scalar something else, or that the fast path leaves alone:
 * - ? : , [ ] { } # & * ! | > ' " % @ `
 */
const INDICATOR = new Uint8Array(128);
for (const character of '-?:,[]{}#&*!|>\'"%@`') INDICATOR[character.charCodeAt(0)] = 1;
/** What ends a plain scalar inside a flow collection, or makes it decline there: , [ ] { } : # */
const FLOW_SPECIAL = new Uint8Array(128);
for (const character of ',[]{}:#') FLOW_SPECIAL[character.charCodeAt(0)] = 1;

/** How many strings {@link Reader.take} remembers (a power of two). */
const TAKEN_SLOTS = 1024;

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * The lines of content (comments and blank lines dropped), as offsets into the text: no string
 * or object per line. For line `i < count`: its text is `text.slice(starts[i], ends[i])`, after
 * `indents[i]` spaces. Typed arrays sized by the text's line count: a million pushes onto growing
 * arrays showed in a 100,000-server fleet.
 */
interface Lines {
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly indents: Int32Array;
}

function contentLines(text: string): Lines {
  let lineCount = 1;
  for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', newline + 1))
    lineCount += 1;
  const starts = new Int32Array(lineCount);
  const ends = new Int32Array(lineCount);
  const indents = new Int32Array(lineCount);
  let count = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let content = start;
    while (content < end && text.charCodeAt(content) === SPACE) content += 1;
    if (content < end && text.charCodeAt(content) !== HASH) {
      starts[count] = content;
      ends[count] = end;
      indents[count] = content - start;
      count += 1;
    }
    start = end + 1;
  }
  return { count, starts, ends, indents };
}

const isLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/**
 * Whether `text` from `at` to `end` is a word a mapping key may be (`[A-Za-z_][A-Za-z0-9_.-]*`),
 * judged in place: a copy per key, made and dropped, was a million strings in a 100,000-server
 * fleet. {@link Reader.key} then refuses the {@link SPECIAL_KEYS}.
 */
function isKeyWord(text: string, at: number, end: number): boolean {
  const first = text.charCodeAt(at);
  if (at >= end || !(isLetter(first) || first === UNDERSCORE)) return false;
  for (let index = at + 1; index < end; index += 1) {
    const code = text.charCodeAt(index);
    if (!(isLetter(code) || isDigit(code) || code === UNDERSCORE || code === 46 /* . */ || code === DASH))
      return false;
  }
  return true;
}

class Reader {
  private index = 0;
  private readonly count: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  /** {@link take}'s strings, and where in the text each was taken from. */
  private readonly taken: string[] = new Array<string>(TAKEN_SLOTS).fill('');
  private readonly takenAt = new Int32Array(TAKEN_SLOTS);

  constructor(
    private readonly text: string,
    lines: Lines,
    private readonly maxStringLength: number,
  ) {
    this.count = lines.count;
    this.starts = lines.starts;
    this.ends = lines.ends;
    this.indents = lines.indents;
  }

  document(): unknown {
    if (this.count === 0 || this.indents[0] !== 0) return decline();
    const value = this.block(0);
    if (this.index < this.count) return decline();
    return value;
  }

  /** The indentation of line `index`, or -1 past the last line. */
  private indentAt(index: number): number {
    return index < this.count ? (this.indents[index] as number) : -1;
  }

  /** Whether the text from `at` to `end` is `-` alone or starts with `- `. */
  private isDash(at: number, end: number): boolean {
    return this.text.charCodeAt(at) === DASH && (at + 1 === end || this.text.charCodeAt(at + 1) === SPACE);
  }

  /**
   * The first offset of the character `code` from `at` up to `end` (this line), or -1. Never
   * `indexOf` on the whole text: a search that runs past the line's end, once per line, made a
   * 100,000-server file quadratic.
   */
  private find(code: number, at: number, end: number): number {
    for (let index = at; index < end; index += 1) if (this.text.charCodeAt(index) === code) return index;
    return -1;
  }

  /** The first offset at or after `at` (up to `end`) that is not a space. */
  private skipSpaces(at: number, end: number): number {
    let next = at;
    while (next < end && this.text.charCodeAt(next) === SPACE) next += 1;
    return next;
  }

  /**
   * Where a `key:` of a block mapping that starts at `at` ends, or -1 when the text up to `end` is
   * not `key: value` or `key:`. Declines on keys that are not plain words.
   */
  private keyEnd(at: number, end: number): number {
    const colon = this.find(COLON, at, end);
    if (colon <= at) return -1;
    if (!(colon + 1 === end || this.text.charCodeAt(colon + 1) === SPACE)) return -1;
    if (colon - at > 256 || !isKeyWord(this.text, at, colon)) return decline();
    return colon;
  }

  /** A block mapping or sequence whose first line is the current one, at `indent`. */
  private block(indent: number): unknown {
    const index = this.index;
    if (this.indentAt(index) !== indent) return decline();
    const at = this.starts[index] as number;
    const end = this.ends[index] as number;
    if (this.isDash(at, end)) return this.sequence(indent);
    if (this.keyEnd(at, end) > 0) return this.mapping(indent, 0);
    return decline();
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      const index = this.index;
      const lineIndent = this.indentAt(index);
      if (lineIndent < indent) return items;
      const start = this.starts[index] as number;
      const end = this.ends[index] as number;
      if (lineIndent > indent || !this.isDash(start, end)) return decline();
      const rest = this.skipSpaces(Math.min(start + 2, end), end);
      const first = this.text.charCodeAt(rest);
      if (rest === end || first === HASH) {
        this.index += 1;
        items.push(this.nested(indent, false));
      } else if (this.isDash(rest, end)) {
        return decline();
      } else if (
        first !== 123 /* { */ &&
        first !== 91 /* [ */ &&
        first !== 34 /* " */ &&
        first !== 39 /* ' */ &&
        this.keyEnd(rest, end) > 0
      ) {
        // `- key: value`: a mapping whose keys stand at the column after the dash.
        items.push(this.mapping(lineIndent + (rest - start), rest - start));
      } else {
        this.index += 1;
        items.push(this.inline(rest, end));
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
      const index = this.index;
      const lineIndent = this.indentAt(index);
      if (lineIndent < 0) return map;
      if (!first) {
        if (lineIndent < indent) return map;
        if (lineIndent > indent) return decline();
      }
      const at = (this.starts[index] as number) + (first ? skip : 0);
      const end = this.ends[index] as number;
      first = false;
      const colon = this.keyEnd(at, end);
      if (colon < 0) return decline();
      const key = this.key(at, colon);
      if (Object.hasOwn(map, key)) return decline();
      const rest = this.skipSpaces(colon + 1, end);
      this.index += 1;
      if (rest === end || this.text.charCodeAt(rest) === HASH) {
        map[key] = this.nested(indent, true);
      } else {
        map[key] = this.inline(rest, end);
        this.expectNoDeeper(indent);
      }
    }
  }

  /** The value of `key:` or `-` with nothing after it: a deeper block, or null. */
  private nested(indent: number, sequenceMayAlign: boolean): unknown {
    const next = this.indentAt(this.index);
    if (next > indent) return this.block(next);
    // `key:` followed by `- item` lines at the key's own indentation is a sequence in YAML.
    if (
      sequenceMayAlign &&
      next === indent &&
      this.text.charCodeAt(this.starts[this.index] as number) === DASH
    )
      return decline();
    return null;
  }

  /** After a one-line value, a deeper line would continue it (a multi-line scalar): decline. */
  private expectNoDeeper(indent: number): void {
    if (this.indentAt(this.index) > indent) decline();
  }

  /** A one-line value in block context, from `at` to `end`: quoted, flow or plain, with an optional comment after. */
  private inline(at: number, end: number): unknown {
    const first = this.text.charCodeAt(at);
    if (first === 34 /* " */ || first === 39 /* ' */ || first === 123 /* { */ || first === 91 /* [ */) {
      const cursor = { at, end };
      const value = this.flowValue(cursor, false);
      // Only spaces may follow, or at least one space and a comment.
      const after = this.skipSpaces(cursor.at, end);
      if (after < end && !(after > cursor.at && this.text.charCodeAt(after) === HASH)) return decline();
      return value;
    }
    return this.blockPlain(at, end);
  }

  /**
   * The value a core-schema plain scalar resolves to, or a decline when unsure. The text is copied
   * out only when it is needed: as a string, or to test a pattern on it.
   */
  private plainValue(at: number, end: number): unknown {
    const { text } = this;
    // Only these first characters can start a null, a boolean or a number (yaml-core-schema.ts):
    // a name or a host name is a string without a regular expression run on it.
    const first = text.charCodeAt(at);
    if (first === 126 /* ~ */ || first === 110 /* n */ || first === 78 /* N */) {
      if (CORE_NULL.test(this.take(at, end))) return null;
    } else if (
      first === 116 /* t */ ||
      first === 84 /* T */ ||
      first === 102 /* f */ ||
      first === 70 /* F */
    ) {
      if (CORE_BOOL.test(this.take(at, end))) return first === 116 || first === 84;
    } else if (isDigit(first) || first === DASH || first === 43 /* + */ || first === 46 /* . */) {
      const number = this.take(at, end);
      if (DECIMAL_INT.test(number) && number !== '-0') return Number(number);
      if (DECIMAL_FLOAT.test(number)) return Number.parseFloat(number);
      // Number-looking strings such as 5.1.44 or 2011-09-20 stay strings; true numbers decline.
      if (CORE_INT.test(number) || CORE_FLOAT.test(number)) return decline();
    }
    return this.take(at, end);
  }

  /**
   * The text from `at` to `end` as a string, declining when it is longer than a string may be.
   * A key or value met before is returned as the string already made (found by its length and
   * four of its characters, then compared in the text, from the end, where names differ): the
   * keys and repeated values of a fleet (a data dir, a layout, a role) are then one string each,
   * not one per server to copy, keep and collect.
   */
  private take(at: number, end: number): string {
    const { text } = this;
    const length = end - at;
    if (length > this.maxStringLength) return decline();
    const slot =
      (length * 61 +
        text.charCodeAt(at) * 31 +
        text.charCodeAt(at + (length >> 1)) * 11 +
        text.charCodeAt(end - 2) * 7 +
        text.charCodeAt(end - 1)) &
      (TAKEN_SLOTS - 1);
    const known = this.taken[slot] as string;
    if (known.length === length) {
      const knownEnd = (this.takenAt[slot] as number) + length;
      let same = 1;
      while (same <= length && text.charCodeAt(knownEnd - same) === text.charCodeAt(end - same)) same += 1;
      if (same > length) return known;
    }
    const fresh = text.slice(at, end);
    this.taken[slot] = fresh;
    this.takenAt[slot] = at;
    return fresh;
  }

  /** The mapping key from `at` to `end` (a word, see {@link isKeyWord}), unless it is special. */
  private key(at: number, end: number): string {
    const key = this.take(at, end);
    return SPECIAL_KEYS.has(key) ? decline() : key;
  }

  /** Whether a plain scalar cannot start at `at`: an indicator (but a minus before a digit). */
  private startsNoPlain(at: number, end: number): boolean {
    const first = this.text.charCodeAt(at);
    return (
      first < 128 &&
      INDICATOR[first] === 1 &&
      !(first === DASH && at + 1 < end && isDigit(this.text.charCodeAt(at + 1)))
    );
  }

  /**
   * A plain scalar in block context, from `at` up to the line's `end` or a comment (` #`): one
   * pass finds where it ends and judges its characters, without a copy until it is taken.
   */
  private blockPlain(at: number, end: number): unknown {
    const { text } = this;
    if (this.startsNoPlain(at, end)) return decline();
    let valueEnd = end;
    for (let index = at; index < end; index += 1) {
      const code = text.charCodeAt(index);
      if (code === COLON) {
        // `a: b` and a trailing `a:` are mappings.
        if (index + 1 === end || text.charCodeAt(index + 1) === SPACE) return decline();
      } else if (code === SPACE && index + 1 < end && text.charCodeAt(index + 1) === HASH) {
        valueEnd = index;
        break;
      }
    }
    while (valueEnd > at && text.charCodeAt(valueEnd - 1) === SPACE) valueEnd -= 1;
    return this.plainValue(at, valueEnd);
  }

  /** A plain scalar inside a flow collection, from `at` to `end` (trimmed): any colon is left alone. */
  private flowPlain(at: number, end: number): unknown {
    const { text } = this;
    if (at >= end || this.startsNoPlain(at, end)) return decline();
    for (let index = at; index < end; index += 1) {
      const code = text.charCodeAt(index);
      if (code === SPACE) {
        if (index + 1 < end && text.charCodeAt(index + 1) === HASH) return decline();
      } else if (code < 128 && FLOW_SPECIAL[code] === 1) {
        return decline();
      }
    }
    return this.plainValue(at, end);
  }

  /** A quoted scalar or a flow collection at `cursor.at`, all before `cursor.end` (this line). */
  private flowValue(cursor: { at: number; readonly end: number }, inFlow: boolean): unknown {
    const { text } = this;
    const first = text.charCodeAt(cursor.at);
    if (first === 34 /* " */) {
      const close = this.find(34 /* " */, cursor.at + 1, cursor.end);
      if (close < 0) return decline();
      if (this.find(92 /* \\ */, cursor.at + 1, close) >= 0) return decline();
      const value = this.take(cursor.at + 1, close);
      cursor.at = close + 1;
      return value;
    }
    if (first === 39 /* ' */) {
      let value = '';
      let at = cursor.at + 1;
      for (;;) {
        const close = this.find(39 /* ' */, at, cursor.end);
        if (close < 0) return decline();
        value += text.slice(at, close);
        if (close + 1 < cursor.end && text.charCodeAt(close + 1) === 39) {
          value += "'";
          at = close + 2;
          continue;
        }
        cursor.at = close + 1;
        break;
      }
      if (value.length > this.maxStringLength) return decline();
      return value;
    }
    if (first === 123 /* { */ || first === 91 /* [ */) return this.flowCollection(cursor, first === 123);
    if (!inFlow) return decline();
    // A plain scalar inside a flow collection ends at the next comma or bracket (or the line's end).
    let rawEnd = cursor.at;
    while (rawEnd < cursor.end) {
      const code = text.charCodeAt(rawEnd);
      if (code === 44 || code === 91 || code === 93 || code === 123 || code === 125) break;
      rawEnd += 1;
    }
    const rawStart = cursor.at;
    cursor.at = rawEnd;
    // YAML trims spaces only: a no-break space at an end is part of the scalar (String.trim,
    // used here before, dropped it where the yaml package keeps it).
    const start = this.skipSpaces(rawStart, rawEnd);
    let end = rawEnd;
    while (end > start && text.charCodeAt(end - 1) === SPACE) end -= 1;
    return this.flowPlain(start, end);
  }

  private flowCollection(cursor: { at: number; readonly end: number }, isMap: boolean): unknown {
    const { text } = this;
    const close = isMap ? 125 /* } */ : 93; /* ] */
    const map: Record<string, unknown> = {};
    const list: unknown[] = [];
    cursor.at = this.skipSpaces(cursor.at + 1, cursor.end);
    if (cursor.at < cursor.end && text.charCodeAt(cursor.at) === close) {
      cursor.at += 1;
      return isMap ? map : list;
    }
    for (;;) {
      cursor.at = this.skipSpaces(cursor.at, cursor.end);
      if (isMap) {
        let colon = this.find(COLON, cursor.at, cursor.end);
        while (colon >= 0 && text.charCodeAt(colon + 1) !== SPACE)
          colon = this.find(COLON, colon + 1, cursor.end);
        if (colon <= cursor.at) return decline();
        if (!isKeyWord(text, cursor.at, colon)) return decline();
        const key = this.key(cursor.at, colon);
        if (Object.hasOwn(map, key)) return decline();
        cursor.at = this.skipSpaces(colon + 2, cursor.end);
        map[key] = this.flowValue(cursor, true);
      } else {
        list.push(this.flowValue(cursor, true));
      }
      cursor.at = this.skipSpaces(cursor.at, cursor.end);
      if (cursor.at >= cursor.end) return decline();
      const next = text.charCodeAt(cursor.at);
      cursor.at += 1;
      if (next === close) return isMap ? map : list;
      if (next !== 44 /* , */) return decline();
      cursor.at = this.skipSpaces(cursor.at, cursor.end);
      // A trailing comma, or an empty entry: leave it to the yaml package.
      const after = text.charCodeAt(cursor.at);
      if (cursor.at < cursor.end && (after === close || after === 44)) return decline();
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
    for (let index = 0; index < lines.count; index += 1) {
      if (lines.indents[index] !== 0) continue;
      const start = lines.starts[index] as number;
      if (text.startsWith('---', start) || text.startsWith('...', start) || text.charCodeAt(start) === 37)
        return undefined;
    }
    return { value: new Reader(text, lines, maxStringLength).document() };
  } catch (error) {
    if (error instanceof Decline) return undefined;
    throw error;
  }
}
