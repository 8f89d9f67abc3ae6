import { describe, expect, it } from 'vitest';
import { errorLogSizeCommand, parseErrorLogSize } from '../../../src/engine/host-commands/error-log-size.js';

describe("measuring the error log's size", () => {
  it('asks stat for the size in bytes, with the path shell-quoted', () => {
    expect(errorLogSizeCommand("/var/log/mysql/it's here.err")).toBe(
      "stat -c %s -- '/var/log/mysql/it'\\''s here.err'",
    );
  });

  it('reads the size stat printed', () => {
    expect(parseErrorLogSize({ exitCode: 0, stdout: '5000\n' })).toBe(5000);
  });

  it('knows no size for a missing log: stat fails and the caller decides', () => {
    expect(parseErrorLogSize({ exitCode: 1, stdout: '' })).toBeUndefined();
  });

  it('knows no size when the connection dropped or the output is not a number', () => {
    expect(parseErrorLogSize({ exitCode: null, stdout: '5000\n' })).toBeUndefined();
    expect(parseErrorLogSize({ exitCode: 0, stdout: 'stat: cannot stat\n' })).toBeUndefined();
  });
});
