import { describe, expect, it } from 'vitest';
import { errorLogGate, matchingErrorLines } from '../../../src/gates/error-log-gate.js';
import { worstVerdict } from '../../../src/gates/gate-verdict.js';
import { reachableGate } from '../../../src/gates/reachable-gate.js';
import { replicationCaughtUpGate } from '../../../src/gates/replication-caught-up-gate.js';
import { replicationRunningGate } from '../../../src/gates/replication-running-gate.js';
import type { ReplicationChannel } from '../../../src/gates/replication-status.js';
import { smokeQueryGate } from '../../../src/gates/smoke-query-gate.js';
import { versionGate } from '../../../src/gates/version-gate.js';

const DEFAULT_PATTERNS = ['\\[ERROR\\]', 'Assertion', 'assertion failure', 'mysqld got signal', 'Crash'];

describe('the reachable gate', () => {
  it('passes a server that answers SELECT 1 and fails one that does not', () => {
    expect(reachableGate({ reachable: true, latencyMs: 3.2 })).toEqual({
      gate: 'reachable',
      verdict: 'pass',
      evidence: 'answered SELECT 1 in 3ms',
    });
    expect(reachableGate({ reachable: false, error: 'ECONNREFUSED' }).verdict).toBe('fail');
  });
});

describe('the version gate', () => {
  it('passes the expected version, whatever suffix the server adds', () => {
    expect(versionGate('10.11.19-MariaDB-0+deb12u1', '10.11.19').verdict).toBe('pass');
    expect(versionGate('5.1.58-rel12.9-log', '5.1.58').verdict).toBe('pass');
  });

  it('fails another version, including one the expected version is a prefix of', () => {
    expect(versionGate('10.11.18-MariaDB-0+deb12u1', '10.11.19')).toMatchObject({
      verdict: 'fail',
      evidence: 'runs 10.11.18-MariaDB-0+deb12u1, expected 10.11.19',
    });
    expect(versionGate('10.11.19-MariaDB', '10.11.1').verdict).toBe('fail');
  });

  it('is inconclusive when the version could not be read', () => {
    expect(versionGate(undefined, '10.11.19').verdict).toBe('inconclusive');
  });
});

describe('the error log gate', () => {
  const rules = { patterns: DEFAULT_PATTERNS, ignore: [] };
  const excerpt = (lines: string[]) => ({
    readable: true as const,
    file: '/var/log/mysql/error.log',
    fromOffset: 4096,
    lines,
  });

  it('passes a log with only notes and warnings since this start', () => {
    const verdict = errorLogGate(
      excerpt([
        '2026-11-23 14:01:12 0 [Note] InnoDB: Buffer pool(s) load completed',
        '[Warning] Aborted connection',
      ]),
      rules,
    );
    expect(verdict).toEqual({
      gate: 'error-log',
      verdict: 'pass',
      evidence: '2 line(s) of /var/log/mysql/error.log since byte 4096: none matches',
    });
  });

  it('fails on an [ERROR], an assertion or a crash, and shows the lines', () => {
    const verdict = errorLogGate(
      excerpt([
        '[Note] starting',
        '2026-11-23 14:01:13 0 [ERROR] InnoDB: Corruption of an index tree',
        'InnoDB: Assertion failure in file btr0cur.cc line 336',
        '261123 14:01:14 [ERROR] mysqld got signal 6 ;',
        '[ERROR] again',
      ]),
      rules,
    );
    expect(verdict.verdict).toBe('fail');
    expect(verdict.evidence).toContain('4 match(es) (+1 more)');
    expect(verdict.evidence).toContain('Corruption of an index tree');
  });

  it('ignores lines the campaign ignores, even when they match', () => {
    const lines = ["[ERROR] Incorrect definition of table mysql.column_stats: expected column 'hist_type'"];
    expect(errorLogGate(excerpt(lines), { ...rules, ignore: ['mysql\\.column_stats'] }).verdict).toBe('pass');
    expect(matchingErrorLines(lines, rules)).toHaveLength(1);
  });

  it('is inconclusive, never a pass, when the log cannot be read', () => {
    expect(errorLogGate({ readable: false, file: '/x.err', error: 'Permission denied' }, rules)).toEqual({
      gate: 'error-log',
      verdict: 'inconclusive',
      evidence: 'could not read /x.err: Permission denied',
    });
  });

  it('says when the log was rotated or cut short', () => {
    const verdict = errorLogGate(
      { readable: true, file: '/x.err', fromOffset: 0, lines: [], rotated: true, truncated: true },
      rules,
    );
    expect(verdict.evidence).toBe('0 line(s) of /x.err since byte 0 (rotated), truncated: none matches');
  });
});

describe('the error log gate on a silent log', () => {
  const rules = { patterns: DEFAULT_PATTERNS, ignore: [] };
  const expecting = (whenSilent: 'inconclusive' | 'fail') => ({
    ...rules,
    expectedStart: { version: '10.11.19', whenSilent },
  });
  const excerpt = (lines: string[]) => ({
    readable: true as const,
    file: '/var/log/mysql/error.log',
    fromOffset: 4096,
    lines,
  });
  const started = [
    '2026-11-24  2:00:05 0 [Note] /usr/sbin/mariadbd: ready for connections.',
    "Version: '10.11.19-MariaDB-0+deb12u1-log'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12",
  ];

  it('passes a log that announces this start of the expected version and nothing wrong', () => {
    expect(errorLogGate(excerpt(started), expecting('inconclusive'))).toEqual({
      gate: 'error-log',
      verdict: 'pass',
      evidence:
        '2 line(s) of /var/log/mysql/error.log since byte 4096: none matches; ready for connections as 10.11.19-MariaDB-0+deb12u1-log',
    });
  });

  it('is inconclusive, by default policy, when the log has no line at all since the start, and says it is silent', () => {
    const verdict = errorLogGate(excerpt([]), expecting('inconclusive'));
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.evidence).toMatch(
      /^the log is silent: no line in \/var\/log\/mysql\/error\.log since this start/,
    );
  });

  it('fails a silent log when the campaign says so', () => {
    expect(errorLogGate(excerpt([]), expecting('fail')).verdict).toBe('fail');
  });

  it('is silent about this start when lines came but none announces the expected version', () => {
    const verdict = errorLogGate(
      excerpt(['[Note] InnoDB: Buffer pool(s) load completed']),
      expecting('inconclusive'),
    );
    expect(verdict).toMatchObject({ verdict: 'inconclusive' });
    expect(verdict.evidence).toContain('the log is silent about this start');
    expect(verdict.evidence).toContain('none says "ready for connections" as 10.11.19');
  });

  it('names the version a start announced when it is not the expected one', () => {
    const old = [started[0] ?? '', "Version: '10.11.18-MariaDB-0+deb12u1-log'  socket: ''  port: 3306"];
    const verdict = errorLogGate(excerpt(old), expecting('fail'));
    expect(verdict.verdict).toBe('fail');
    expect(verdict.evidence).toContain('it announces 10.11.18-MariaDB-0+deb12u1-log instead');
  });

  it('fails on an [ERROR] even when the start was announced', () => {
    const verdict = errorLogGate(
      excerpt([...started, '[ERROR] InnoDB: page corrupted']),
      expecting('inconclusive'),
    );
    expect(verdict.verdict).toBe('fail');
  });
});

const running: ReplicationChannel = { name: '', ioRunning: 'Yes', sqlRunning: 'Yes', secondsBehind: 0 };

describe('the replication running gate', () => {
  it('passes a replica whose IO and SQL threads both run', () => {
    expect(replicationRunningGate({ readable: true, channels: [running] }, 'replica').verdict).toBe('pass');
  });

  it('fails a replica whose SQL thread stopped, with its error', () => {
    const verdict = replicationRunningGate(
      {
        readable: true,
        channels: [
          { ...running, sqlRunning: 'No', secondsBehind: null, lastSqlError: "Error 'Duplicate entry'" },
        ],
      },
      'replica',
    );
    expect(verdict.verdict).toBe('fail');
    expect(verdict.evidence).toBe("IO Yes, SQL No, lag unknown (Error 'Duplicate entry')");
  });

  it('is inconclusive while the IO thread is still connecting', () => {
    const channels = [{ ...running, ioRunning: 'Connecting' }];
    expect(replicationRunningGate({ readable: true, channels }, 'replica').verdict).toBe('inconclusive');
  });

  it('passes a server without replication, unless the inventory says it is a replica', () => {
    expect(replicationRunningGate({ readable: true, channels: [] }, undefined)).toMatchObject({
      verdict: 'pass',
      evidence: 'not a replica',
    });
    expect(replicationRunningGate({ readable: true, channels: [] }, 'replica').verdict).toBe('fail');
  });

  it('is inconclusive when the status cannot be read', () => {
    expect(replicationRunningGate({ readable: false, error: 'denied' }, 'replica').verdict).toBe(
      'inconclusive',
    );
  });
});

describe('the replication caught-up gate', () => {
  const seen = (channels: ReplicationChannel[], waitedMs = 4_000) => ({
    last: { readable: true as const, channels },
    waitedMs,
    timeoutMs: 300_000,
    maxLagSeconds: 1,
  });

  it('passes a replica within the allowed lag', () => {
    expect(replicationCaughtUpGate(seen([{ ...running, secondsBehind: 1 }]), 'replica').verdict).toBe('pass');
  });

  it('fails a replica still behind at the timeout', () => {
    const verdict = replicationCaughtUpGate(seen([{ ...running, secondsBehind: 95 }], 300_000), 'replica');
    expect(verdict.verdict).toBe('fail');
    expect(verdict.evidence).toBe(
      'not caught up within 300s (max lag 1s): IO Yes, SQL Yes, 95s behind after 300s',
    );
  });

  it('fails stopped threads and is inconclusive on an unknown lag while they run', () => {
    expect(replicationCaughtUpGate(seen([{ ...running, ioRunning: 'No' }]), 'replica').verdict).toBe('fail');
    expect(replicationCaughtUpGate(seen([{ ...running, secondsBehind: null }]), 'replica').verdict).toBe(
      'inconclusive',
    );
  });

  it('passes a server that is not a replica', () => {
    expect(replicationCaughtUpGate(seen([]), 'primary').verdict).toBe('pass');
  });
});

describe('a smoke query gate', () => {
  it('passes the expected first value and names the gate after the query', () => {
    const verdict = smokeQueryGate(
      { name: 'users', ok: true, firstValue: '10000', rows: 1, durationMs: 4 },
      { name: 'users', expect: '10000' },
    );
    expect(verdict).toEqual({
      gate: 'smoke:users',
      verdict: 'pass',
      evidence: 'returned "10000" as expected in 4ms',
    });
  });

  it('fails another value, no rows, or an error', () => {
    const expectation = { name: 'users', expect: '10000' };
    expect(
      smokeQueryGate({ name: 'users', ok: true, firstValue: '9999', rows: 1, durationMs: 4 }, expectation)
        .verdict,
    ).toBe('fail');
    expect(
      smokeQueryGate({ name: 'users', ok: true, firstValue: undefined, rows: 0, durationMs: 4 }, expectation)
        .evidence,
    ).toBe('returned no rows, expected "10000"');
    expect(
      smokeQueryGate(
        { name: 'users', ok: false, error: "Table 'app.users' doesn't exist", durationMs: 2 },
        expectation,
      ).verdict,
    ).toBe('fail');
  });

  it('only requires success when the campaign expects no value', () => {
    expect(
      smokeQueryGate({ name: 'q', ok: true, firstValue: 'NULL', rows: 1, durationMs: 1 }, { name: 'q' })
        .verdict,
    ).toBe('pass');
  });
});

describe('the worst of several verdicts', () => {
  it('is fail over inconclusive over pass', () => {
    expect(worstVerdict(['pass', 'inconclusive', 'fail'])).toBe('fail');
    expect(worstVerdict(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(worstVerdict([])).toBe('pass');
  });
});
