/** One field of a CSV record: its text (quotes removed, doubled quotes undone) and where it starts. */
export interface CsvField {
  readonly text: string;
  /** 1-based line the field starts on: a quoted field may hold line breaks. */
  readonly line: number;
  /** Whether it was written in quotes. */
  readonly quoted: boolean;
}

/** One record (row): at most the fields asked for, and how many it really has. */
export interface CsvRecord {
  /** 1-based line the record starts on. */
  readonly line: number;
  readonly fields: readonly CsvField[];
  /** Every field of the record, counted past the ones kept. */
  readonly fieldCount: number;
}

/** Text that is not CSV: where, and what is wrong. */
export interface CsvSyntaxError {
  readonly line: number;
  /** 0-based index of the field it is in. */
  readonly field: number;
  readonly message: string;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Reads CSV as RFC 4180 writes it, one record at a time: fields separated by commas, records by
 * CRLF or LF (the last one may lack it), a field in double quotes may hold commas, line breaks
 * and doubled quotes (`""` is one `"`), a UTF-8 byte order mark before the first field is
 * dropped. What RFC 4180 does not allow is refused with the line it is on, never guessed at: a
 * quote inside a field that does not start with one, text after a closing quote, a quote never
 * closed, a carriage return not followed by a line feed.
 *
 * The caller says how many fields of each record to keep (the header's count for a row), so a
 * line of a million commas costs a count, not a million fields.
 */
export class CsvReader {
  readonly #text: string;
  #position: number;
  #line = 1;

  constructor(text: string) {
    this.#text = text;
    this.#position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /**
   * The next record, keeping its first `keep` fields; undefined at the end of the text.
   *
   * @throws nothing: a syntax error is returned, and the reader is not used after it.
   */
  next(keep: number): CsvRecord | CsvSyntaxError | undefined {
    const text = this.#text;
    if (this.#position >= text.length) return undefined;
    const line = this.#line;
    const fields: CsvField[] = [];
    let count = 0;
    for (;;) {
      const field = this.#field(count);
      if ('message' in field) return field;
      if (count < keep) fields.push(field);
      count += 1;
      const code = text.charCodeAt(this.#position);
      if (code === COMMA) {
        this.#position += 1;
        continue;
      }
      if (Number.isNaN(code)) return { line, fields, fieldCount: count };
      // #field stops only at a comma, a line end or the end of the text.
      this.#position += code === CR ? 2 : 1;
      this.#line += 1;
      return { line, fields, fieldCount: count };
    }
  }

  /** One field from the current position, leaving the position on the comma, line end or end. */
  #field(index: number): CsvField | CsvSyntaxError {
    const text = this.#text;
    const line = this.#line;
    if (text.charCodeAt(this.#position) !== QUOTE) {
      const start = this.#position;
      for (;;) {
        const code = text.charCodeAt(this.#position);
        if (Number.isNaN(code) || code === COMMA || code === LF) break;
        if (code === CR) {
          if (text.charCodeAt(this.#position + 1) === LF) break;
          return { line, field: index, message: LONE_CR };
        }
        if (code === QUOTE)
          return {
            line,
            field: index,
            message:
              'a quote inside a field that does not start with one: put the whole field in quotes and double the quote ("")',
          };
        this.#position += 1;
      }
      return { text: text.slice(start, this.#position), line, quoted: false };
    }
    const parts: string[] = [];
    let start = this.#position + 1;
    for (;;) {
      const close = text.indexOf('"', start);
      if (close < 0)
        return {
          line,
          field: index,
          message: 'the quoted field that starts on this line is never closed (a missing ")',
        };
      this.#line += countLineFeeds(text, start, close);
      parts.push(text.slice(start, close));
      if (text.charCodeAt(close + 1) === QUOTE) {
        parts.push('"');
        start = close + 2;
        continue;
      }
      this.#position = close + 1;
      break;
    }
    const after = text.charCodeAt(this.#position);
    if (after === CR && text.charCodeAt(this.#position + 1) !== LF)
      return { line: this.#line, field: index, message: LONE_CR };
    if (!(Number.isNaN(after) || after === COMMA || after === LF || after === CR))
      return {
        line: this.#line,
        field: index,
        message: 'text after the closing quote of a quoted field (a quote inside it is written "")',
      };
    return { text: parts.join(''), line, quoted: true };
  }
}

const LONE_CR =
  'a carriage return without a line feed: save the file with CRLF or LF line ends (a line break inside a field needs quotes)';

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}
