import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvRecord, type CsvSyntaxError } from '../../../src/importers/csv-reader.js';

/** Every record of a text, as field texts with the line each record starts on. */
function records(text: string, keep = 100): { line: number; fields: string[] }[] {
  const reader = new CsvReader(text);
  const out: { line: number; fields: string[] }[] = [];
  for (let record = reader.next(keep); record !== undefined; record = reader.next(keep)) {
    if ('message' in record) throw new Error(`unexpected syntax error: ${record.message}`);
    out.push({ line: record.line, fields: record.fields.map((field) => field.text) });
  }
  return out;
}

/** The first syntax error in a text. */
function syntaxError(text: string): CsvSyntaxError {
  const reader = new CsvReader(text);
  for (let record = reader.next(100); record !== undefined; record = reader.next(100))
    if ('message' in record) return record;
  throw new Error('no syntax error');
}

describe('the CSV reader (RFC 4180)', () => {
  it('separates fields by commas and records by LF, the last line with or without one', () => {
    expect(records('a,b\nc,d\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
    expect(records('a,b\nc,d')).toEqual(records('a,b\nc,d\n'));
  });

  it('reads CRLF line ends as LF ones', () => {
    expect(records('a,b\r\nc,d\r\n')).toEqual(records('a,b\nc,d\n'));
  });

  it('keeps empty fields, at the start, in the middle and at the end of a record', () => {
    expect(records(',x,,\n')).toEqual([{ line: 1, fields: ['', 'x', '', ''] }]);
  });

  it('reads a blank line as a record of one empty field', () => {
    expect(records('a\n\nb\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['b'] },
    ]);
  });

  it('reads a quoted field without its quotes, with the commas inside it', () => {
    expect(records('"a,b",c\n')).toEqual([{ line: 1, fields: ['a,b', 'c'] }]);
  });

  it('reads a doubled quote inside a quoted field as one quote', () => {
    expect(records('"say ""hi""",""""\n')).toEqual([{ line: 1, fields: ['say "hi"', '"'] }]);
  });

  it("keeps line breaks inside a quoted field, and counts them in the next record's line", () => {
    expect(records('"one\ntwo",x\r\n"three\r\nfour"\nnext\n')).toEqual([
      { line: 1, fields: ['one\ntwo', 'x'] },
      { line: 3, fields: ['three\r\nfour'] },
      { line: 5, fields: ['next'] },
    ]);
  });

  it('says which line each field starts on', () => {
    const record = new CsvReader('a,"b\nc",d\n').next(10) as CsvRecord;
    expect(record.fields.map((field) => [field.text, field.line, field.quoted])).toEqual([
      ['a', 1, false],
      ['b\nc', 1, true],
      ['d', 2, false],
    ]);
  });

  it('drops a UTF-8 byte order mark before the first field, and only there', () => {
    expect(records('\uFEFFname,x\n')).toEqual([{ line: 1, fields: ['name', 'x'] }]);
    expect(records('a,\uFEFFb\n')).toEqual([{ line: 1, fields: ['a', '\uFEFFb'] }]);
  });

  it('keeps spaces: a field is what stands between the commas', () => {
    expect(records(' a , b \n')).toEqual([{ line: 1, fields: [' a ', ' b '] }]);
  });

  it('keeps the first fields asked for and counts the rest', () => {
    const record = new CsvReader('a,b,c,d,e\n').next(2) as CsvRecord;
    expect(record.fields.map((field) => field.text)).toEqual(['a', 'b']);
    expect(record.fieldCount).toBe(5);
  });

  it('refuses a quote inside a field that does not start with one', () => {
    expect(syntaxError('a,b\nc,d"e\n')).toEqual({
      line: 2,
      field: 1,
      message:
        'a quote inside a field that does not start with one: put the whole field in quotes and double the quote ("")',
    });
  });

  it('refuses text after a closing quote, on the line the quote closes', () => {
    expect(syntaxError('"a\nb"c,d\n')).toEqual({
      line: 2,
      field: 0,
      message: 'text after the closing quote of a quoted field (a quote inside it is written "")',
    });
  });

  it('refuses a quoted field never closed, naming the line it opens on', () => {
    expect(syntaxError('a,b\nc,"d\ne\nf\n')).toEqual({
      line: 2,
      field: 1,
      message: 'the quoted field that starts on this line is never closed (a missing ")',
    });
  });

  it('refuses a carriage return without a line feed, outside quotes and after a closing quote', () => {
    const message =
      'a carriage return without a line feed: save the file with CRLF or LF line ends (a line break inside a field needs quotes)';
    expect(syntaxError('a,b\rc,d\r')).toEqual({ line: 1, field: 1, message });
    expect(syntaxError('"a"\rb')).toEqual({ line: 1, field: 0, message });
  });

  it('ends at the end of the text, and reads an empty text as no record', () => {
    expect(records('')).toEqual([]);
    expect(records('\uFEFF')).toEqual([]);
  });
});
