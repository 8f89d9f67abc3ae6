import { DbwaveError, ErrorCode } from '../../core/errors.js';

/** The journal is damaged somewhere other than its last line: a person must look before any run. */
export class JournalCorruptError extends DbwaveError {
  readonly file: string;
  /** 1-based line of the damage. */
  readonly line: number;

  constructor(file: string, line: number, message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.JournalCorrupt, `${file}:${line}: ${message}`, options);
    this.file = file;
    this.line = line;
  }
}
