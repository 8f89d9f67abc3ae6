import { describe, expect, it } from 'vitest';
import { compareInnodb } from '../../../src/analysis/innodb-comparison.js';
import type { SqlRow } from '../../../src/engine/ports/sql-session.js';
import { runAnalysisGates } from '../../../src/gates/probes/analysis-gates.js';
import type { GateRunContext } from '../../../src/gates/probes/gate-run-context.js';
import { runReadinessGates } from '../../../src/gates/probes/readiness-gates.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { FakeShell, FakeSqlSession } from '../stats/fake-ports.js';

const gates = campaignFields.shape.gates.parse({
  smokeQueries: [{ name: 'rows', sql: 'SELECT COUNT(*) FROM sbtest.sbtest1', expect: 10000 }],
});

function healthyServer(): FakeSqlSession {
  return new FakeSqlSession((sql): SqlRow[] => {
    if (sql === 'SELECT 1') return [{ 1: 1 }];
    if (sql.startsWith('SELECT VERSION()')) return [{ version: '10.11.19-MariaDB-0+deb12u1' }];
    if (sql === 'SHOW ALL SLAVES STATUS') return [];
    if (sql.startsWith('SELECT COUNT(*)')) return [{ 'COUNT(*)': 10000 }];
    throw new Error(`unexpected: ${sql}`);
  });
}

/** This start as mariadbd logs it (the local fleet's MariaDB): what a clean error log gate reads. */
const STARTED =
  "2026-11-24  2:00:05 0 [Note] /usr/sbin/mariadbd: ready for connections.\nVersion: '10.11.19-MariaDB-0+deb12u1-log'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12\n";

function context(session: FakeSqlSession, log = STARTED): GateRunContext {
  // The error log read in one round trip: its size (100 bytes), then what this start wrote.
  const shell = new FakeShell(() => ({ stdout: `100\n${log}` }));
  return {
    session,
    shell,
    clock: new FakeClock(),
    server: { name: 'db-01' },
    expectedVersion: '10.11.19',
    errorLogFile: '/var/lib/mysql/db-01.err',
    errorLogOffset: 50,
    gates,
  };
}

describe('the readiness gates', () => {
  it('run reachable, version, error log, replication and each smoke query, in that order', async () => {
    const verdicts = await runReadinessGates(context(healthyServer()));
    expect(verdicts.map((verdict) => [verdict.gate, verdict.verdict])).toEqual([
      ['reachable', 'pass'],
      ['version', 'pass'],
      ['error-log', 'pass'],
      ['replication-running', 'pass'],
      ['smoke:rows', 'pass'],
    ]);
    expect(verdicts.every((verdict) => typeof verdict.durationMs === 'number')).toBe(true);
  });

  it('fail the error-log gate on an [ERROR] this start wrote', async () => {
    const verdicts = await runReadinessGates(context(healthyServer(), '[ERROR] InnoDB: page corrupted\n'));
    expect(verdicts.find((verdict) => verdict.gate === 'error-log')?.verdict).toBe('fail');
  });

  it('stop at an unreachable server, keeping the error log that says why', async () => {
    const down = new FakeSqlSession(() => {
      throw new Error('connect ECONNREFUSED 127.0.1.1:3306');
    });
    const verdicts = await runReadinessGates(context(down, 'mysqld got signal 11 ;\n'));
    expect(verdicts.map((verdict) => [verdict.gate, verdict.verdict])).toEqual([
      ['reachable', 'fail'],
      ['error-log', 'fail'],
    ]);
  });

  it('make the error-log gate inconclusive when the server logs nowhere readable', async () => {
    const verdicts = await runReadinessGates({ ...context(healthyServer()), errorLogFile: undefined });
    expect(verdicts.find((verdict) => verdict.gate === 'error-log')?.verdict).toBe('inconclusive');
  });
});

describe('the analysis gates', () => {
  const steady = [10, 10.2, 9.9, 10.1, 10, 9.8];

  it('run reachable, error log, replication caught up and the InnoDB comparison', async () => {
    const innodb = compareInnodb(
      { baseline: { data_fsyncs: steady }, after: { data_fsyncs: steady } },
      { threshold: { relative: 0.5, floor: 1 }, thresholds: {}, alpha: 0.05 },
    );
    const verdicts = await runAnalysisGates({ ...context(healthyServer()), innodb });
    expect(verdicts.map((verdict) => [verdict.gate, verdict.verdict])).toEqual([
      ['reachable', 'pass'],
      ['error-log', 'pass'],
      ['replication-caught-up', 'pass'],
      ['innodb', 'pass'],
    ]);
  });

  it('make the InnoDB gate inconclusive without a baseline, never a silent pass', async () => {
    const verdicts = await runAnalysisGates({ ...context(healthyServer()), innodb: undefined });
    expect(verdicts.at(-1)).toMatchObject({ gate: 'innodb', verdict: 'inconclusive' });
  });

  it('leave the InnoDB gate out when the campaign turns it off', async () => {
    const verdicts = await runAnalysisGates({
      ...context(healthyServer()),
      gates: { ...gates, innodb: false },
      innodb: undefined,
    });
    expect(verdicts.map((verdict) => verdict.gate)).not.toContain('innodb');
  });
});

describe('the campaign gates section', () => {
  it('refuses an error-log pattern that is not a regular expression', () => {
    const result = campaignFields.shape.gates.safeParse({ errorLogPatterns: ['[ERROR'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('is not a valid regular expression');
  });

  it('defaults what the gates need', () => {
    expect(gates.replicationMaxLag).toBe(1_000);
    expect(gates.inconclusive).toBe('pause');
  });
});
