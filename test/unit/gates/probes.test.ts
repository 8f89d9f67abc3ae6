import { describe, expect, it } from 'vitest';
import { readErrorLogSince, resolveErrorLogPath } from '../../../src/gates/probes/error-log-probe.js';
import {
  readReplicationStatus,
  waitForReplicationCatchUp,
} from '../../../src/gates/probes/replication-probe.js';
import { quoteIdentifier, runSmokeQuery } from '../../../src/gates/probes/sql-probes.js';
import { FLAVOUR_QUERY } from '../../../src/model/server-flavour.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { FakeShell, FakeSqlSession } from '../stats/fake-ports.js';

describe('reading the error log since this start', () => {
  const file = "/var/log/mysql/it's here.err";

  it('reads from the byte after the offset in one round trip, with the path shell-quoted', async () => {
    const shell = new FakeShell(() => ({ stdout: '5000\n[Note] one\n[ERROR] two\n' }));
    const excerpt = await readErrorLogSince(shell, file, 4096);
    expect(shell.commands).toHaveLength(1);
    expect(shell.commands[0]).toContain('o=4097');
    expect(shell.commands[0]).toContain(`tail -c +"$o" '/var/log/mysql/it'\\''s here.err' | head -c 1048576`);
    expect(excerpt).toEqual({ readable: true, file, fromOffset: 4096, lines: ['[Note] one', '[ERROR] two'] });
  });

  it('reads a log shorter than the offset from its start: it was rotated', async () => {
    const shell = new FakeShell(() => ({ stdout: '10\nx\n' }));
    const excerpt = await readErrorLogSince(shell, '/e.err', 4096);
    expect(shell.commands[0]).toContain('-lt 4096 ]; then o=1;');
    expect(excerpt).toMatchObject({ readable: true, fromOffset: 0, rotated: true, lines: ['x'] });
  });

  it('says when more was written than it reads at once', async () => {
    const shell = new FakeShell(() => ({ stdout: '5000\nx' }));
    expect(await readErrorLogSince(shell, '/e.err', 0, { maxBytes: 100 })).toMatchObject({ truncated: true });
  });

  it('comes back unreadable when the shell fails', async () => {
    const shell = new FakeShell(() => ({ exitCode: 1, stderr: 'Permission denied' }));
    expect(await readErrorLogSince(shell, '/e.err', 0)).toEqual({
      readable: false,
      file: '/e.err',
      error: 'Permission denied',
    });
  });

  it('finds the log from @@log_error, relative to the datadir, when the inventory names none', async () => {
    const session = new FakeSqlSession(() => [{ log_error: './db-01.err', datadir: '/var/lib/mysql/' }]);
    expect(await resolveErrorLogPath(session)).toBe('/var/lib/mysql/db-01.err');
    expect(await resolveErrorLogPath(session, '/custom.err')).toBe('/custom.err');
    const stderr = new FakeSqlSession(() => [{ log_error: 'stderr', datadir: '/var/lib/mysql/' }]);
    expect(await resolveErrorLogPath(stderr)).toBeUndefined();
  });
});

describe('reading replication status', () => {
  it("reads MariaDB's SHOW ALL SLAVES STATUS with every connection", async () => {
    const session = new FakeSqlSession((sql) =>
      sql === FLAVOUR_QUERY
        ? [{ version: '10.11.19-MariaDB-0+deb12u1-log', comment: 'Debian 12' }]
        : [
            {
              Connection_name: '',
              Slave_IO_Running: 'Yes',
              Slave_SQL_Running: 'Yes',
              Seconds_Behind_Master: 0,
              Last_IO_Error: '',
              Last_SQL_Error: '',
            },
          ],
    );
    expect(await readReplicationStatus(session)).toEqual({
      readable: true,
      channels: [
        {
          name: '',
          ioRunning: 'Yes',
          sqlRunning: 'Yes',
          secondsBehind: 0,
          lastIoError: '',
          lastSqlError: '',
        },
      ],
    });
    expect(session.statements).toEqual([FLAVOUR_QUERY, 'SHOW ALL SLAVES STATUS']);
  });

  it('asks MySQL 8.0.22+ SHOW REPLICA STATUS and reads its new column names', async () => {
    const session = new FakeSqlSession((sql) => {
      if (sql === FLAVOUR_QUERY) return [{ version: '9.7.4-2', comment: '(Debian)' }];
      if (sql !== 'SHOW REPLICA STATUS') throw new Error('You have an error in your SQL syntax');
      return [
        {
          Channel_Name: 'east',
          Replica_IO_Running: 'Yes',
          Replica_SQL_Running: 'No',
          Seconds_Behind_Source: null,
        },
      ];
    });
    expect(await readReplicationStatus(session)).toEqual({
      readable: true,
      channels: [{ name: 'east', ioRunning: 'Yes', sqlRunning: 'No', secondsBehind: null }],
    });
  });

  it('is unreadable when no form is accepted', async () => {
    const session = new FakeSqlSession(() => {
      throw new Error('Access denied; you need the REPLICATION CLIENT privilege');
    });
    expect(await readReplicationStatus(session)).toMatchObject({
      readable: false,
      error: expect.stringContaining('REPLICATION CLIENT'),
    });
  });

  it('waits for a lagging replica to catch up on the injected clock', async () => {
    const clock = new FakeClock();
    let lag = 30;
    const session = new FakeSqlSession((sql) => {
      if (sql === FLAVOUR_QUERY) return [{ version: '5.1.58-log', comment: 'Source distribution' }];
      lag = Math.max(0, lag - 10);
      return [{ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: lag }];
    });
    const seen = await waitForReplicationCatchUp(session, {
      clock,
      timeoutMs: 60_000,
      maxLagSeconds: 1,
      pollMs: 2_000,
    });
    expect(seen.waitedMs).toBe(4_000);
    expect(seen.last).toMatchObject({ channels: [{ secondsBehind: 0 }] });
  });

  it('stops waiting at the timeout, and at once when a thread has stopped', async () => {
    const clock = new FakeClock();
    const behind = new FakeSqlSession(() => [
      { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: 99 },
    ]);
    expect(
      (await waitForReplicationCatchUp(behind, { clock, timeoutMs: 10_000, maxLagSeconds: 1 })).waitedMs,
    ).toBe(10_000);
    const stopped = new FakeSqlSession(() => [
      { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'No', Seconds_Behind_Master: null },
    ]);
    expect(
      (await waitForReplicationCatchUp(stopped, { clock, timeoutMs: 10_000, maxLagSeconds: 1 })).waitedMs,
    ).toBe(0);
  });
});

describe('running a smoke query', () => {
  it('runs it in its database and keeps the first value as text', async () => {
    const clock = new FakeClock();
    const session = new FakeSqlSession((sql) => (sql.startsWith('USE') ? [] : [{ n: 10000 }, { n: 3 }]));
    const result = await runSmokeQuery(
      session,
      { name: 'rows', sql: 'SELECT COUNT(*) AS n FROM t', database: 'app`db' },
      clock,
    );
    expect(session.statements).toEqual(['USE `app``db`', 'SELECT COUNT(*) AS n FROM t']);
    expect(result).toMatchObject({ ok: true, firstValue: '10000', rows: 2 });
  });

  it('keeps the error of a query that fails', async () => {
    const session = new FakeSqlSession(() => {
      throw new Error("Table 'app.t' doesn't exist");
    });
    expect(
      await runSmokeQuery(session, { name: 'rows', sql: 'SELECT 1 FROM t' }, new FakeClock()),
    ).toMatchObject({
      ok: false,
      error: "Table 'app.t' doesn't exist",
    });
  });

  it('quotes identifiers with backticks', () => {
    expect(quoteIdentifier('a`b')).toBe('`a``b`');
  });
});
